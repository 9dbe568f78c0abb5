import { type LogFrom, type LogMatcher, stripAnsi } from '@stevedore/shared';
import { type LineFilter, passes } from './log-page.js';
import type { LineTest } from './log-records.js';
import { type ScanLine, scanBackward, scanForward } from './log-scan.js';
import { type FilePosition, resolveFrom, type ViewFile } from './log-view-files.js';

export interface SearchRequest {
  from: LogFrom;
  direction: 'next' | 'previous';
  filter: LineFilter;
  writerDone: boolean;
  /** Stop at the block after this much time and say where to go on from. */
  budgetMs: number;
}

export interface SearchOutcome {
  match: ScanLine | null;
  /** The budget ran out here before a match or the end of the log. */
  resume: FilePosition | null;
  bytes: number;
}

const matches = (line: ScanLine, filter: LineFilter, matcher: LogMatcher) =>
  passes(line, filter) && matcher.test(stripAnsi(line.text));

/** The scan's cheap first cut: the stream and the text; times are checked on the few kept lines. */
const candidates =
  (filter: LineFilter, matcher: LogMatcher): LineTest =>
  (text, stream) =>
    filter.streams.has(stream) && matcher.test(stripAnsi(text));

/** The first matching line from `from` in the direction asked, within the time budget. */
export async function searchLog(
  files: readonly ViewFile[],
  matcher: LogMatcher,
  request: SearchRequest,
  onBatch: () => void = () => {},
): Promise<SearchOutcome> {
  const forward = request.direction === 'next';
  const start = resolveFrom(files, request.from, forward ? 'forward' : 'backward');
  if (!start) return { match: null, resume: null, bytes: 0 };
  const deadline = performance.now() + request.budgetMs;
  const keep = candidates(request.filter, matcher);
  const scan = forward
    ? scanForward(files, start, request.writerDone, keep)
    : scanBackward(files, start, request.writerDone, keep);
  let bytes = 0;
  for await (const batch of scan) {
    onBatch();
    bytes += batch.bytes;
    const { lines } = batch;
    if (forward) {
      for (const line of lines)
        if (matches(line, request.filter, matcher)) return { match: line, resume: null, bytes };
    } else {
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i] as ScanLine;
        if (matches(line, request.filter, matcher)) return { match: line, resume: null, bytes };
      }
    }
    if (performance.now() > deadline) return { match: null, resume: batch.resume, bytes };
  }
  return { match: null, resume: null, bytes };
}

/** Matching lines in the whole log, up to `cap` and within the time budget. */
export async function countMatches(
  files: readonly ViewFile[],
  matcher: LogMatcher,
  request: { filter: LineFilter; writerDone: boolean; cap: number; budgetMs: number },
  onBatch: () => void = () => {},
): Promise<{ count: number; complete: boolean }> {
  if (files.length === 0) return { count: 0, complete: true };
  const deadline = performance.now() + request.budgetMs;
  let count = 0;
  const keep = candidates(request.filter, matcher);
  for await (const batch of scanForward(files, { file: 0, offset: 0 }, request.writerDone, keep)) {
    onBatch();
    for (const line of batch.lines) {
      if (!matches(line, request.filter, matcher)) continue;
      if (++count >= request.cap) return { count, complete: false };
    }
    if (performance.now() > deadline) return { count, complete: false };
  }
  return { count, complete: true };
}
