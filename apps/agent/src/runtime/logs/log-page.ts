import type { LogCursor, LogFrom, LogPage, LogViewLine } from '@stevedore/shared';
import { toNanos } from '../../util/time-bound.js';
import { type ScanBatch, type ScanLine, scanBackward, scanForward } from './log-scan.js';
import { cursorAt, type FilePosition, resolveFrom, type ViewFile } from './log-view-files.js';

/** Which lines count: streams and a time range in nanoseconds. */
export interface LineFilter {
  streams: ReadonlySet<string>;
  since: bigint | null;
  until: bigint | null;
}

export function passes(line: ScanLine, filter: LineFilter): boolean {
  if (!filter.streams.has(line.stream)) return false;
  if (filter.since === null && filter.until === null) return true;
  const time = toNanos(line.time);
  return (filter.since === null || time >= filter.since) && (filter.until === null || time <= filter.until);
}

/**
 * Bytes one page request reads at most: a filter that matches little (one stream of a busy log, a
 * narrow time range) returns fewer lines, and the reader asks again from `before`/`after`.
 */
export const PAGE_SCAN_BYTES = 16 * 1024 * 1024;

export interface PageRequest {
  from: LogFrom;
  direction: 'forward' | 'backward';
  limit: number;
  filter: LineFilter;
  /** The container no longer writes: a last line without its newline is a (partial) line. */
  writerDone: boolean;
}

export function viewLine(files: readonly ViewFile[], line: ScanLine): LogViewLine {
  const out: LogViewLine = {
    stream: line.stream,
    time: line.time,
    text: line.text,
    cursor: cursorAt(files, { file: line.file, offset: line.start }),
    next: cursorAt(files, { file: line.file, offset: line.end }),
  };
  if (line.partial) out.partial = true;
  return out;
}

const emptyPage = (from: LogFrom): LogPage => {
  const at: LogCursor = typeof from === 'string' ? { ino: 0, head: '', offset: 0 } : from;
  return { lines: [], before: at, after: at, atStart: true, atEnd: true };
};

/** One page of a log: up to `limit` lines from `from` in either direction, oldest first. */
export async function readPage(files: readonly ViewFile[], request: PageRequest): Promise<LogPage> {
  const start = resolveFrom(files, request.from, request.direction);
  if (!start) return emptyPage(request.from);
  return request.direction === 'forward'
    ? pageForward(files, start, request)
    : pageBackward(files, start, request);
}

async function pageForward(
  files: readonly ViewFile[],
  start: FilePosition,
  request: PageRequest,
): Promise<LogPage> {
  const { limit, filter } = request;
  const lines: ScanLine[] = [];
  let after = start;
  let scanned = 0;
  let atEnd = true;
  for await (const batch of scanForward(files, start, request.writerDone)) {
    scanned += batch.bytes;
    const taken = takeForward(batch, lines, limit, filter);
    if (taken.tooLate) {
      after = taken.resume;
      break;
    }
    after = taken.resume;
    if (lines.length >= limit || scanned >= PAGE_SCAN_BYTES) {
      atEnd = false;
      break;
    }
  }
  return {
    lines: lines.map((line) => viewLine(files, line)),
    before: cursorAt(files, lines[0] ? { file: lines[0].file, offset: lines[0].start } : start),
    after: cursorAt(files, after),
    atStart: false,
    atEnd,
  };
}

function takeForward(
  batch: ScanBatch,
  into: ScanLine[],
  limit: number,
  filter: LineFilter,
): { resume: FilePosition; tooLate: boolean } {
  for (const line of batch.lines) {
    if (filter.until !== null && filter.streams.has(line.stream) && toNanos(line.time) > filter.until) {
      return { resume: { file: line.file, offset: line.start }, tooLate: true };
    }
    if (!passes(line, filter)) continue;
    into.push(line);
    if (into.length >= limit) return { resume: { file: line.file, offset: line.end }, tooLate: false };
  }
  return { resume: batch.resume, tooLate: false };
}

async function pageBackward(
  files: readonly ViewFile[],
  start: FilePosition,
  request: PageRequest,
): Promise<LogPage> {
  const { limit, filter } = request;
  // Batches come newest first; each is oldest first.
  const chunks: ScanLine[][] = [];
  let count = 0;
  let before = start;
  let scanned = 0;
  let atStart = true;
  scan: for await (const batch of scanBackward(files, start, request.writerDone)) {
    scanned += batch.bytes;
    const kept: ScanLine[] = [];
    for (let i = batch.lines.length - 1; i >= 0; i--) {
      const line = batch.lines[i] as ScanLine;
      if (filter.since !== null && filter.streams.has(line.stream) && toNanos(line.time) < filter.since) {
        chunks.push(kept.reverse());
        before = { file: line.file, offset: line.end };
        break scan;
      }
      if (!passes(line, filter)) continue;
      kept.push(line);
      if (++count >= limit) {
        chunks.push(kept.reverse());
        before = { file: line.file, offset: line.start };
        atStart = false;
        break scan;
      }
    }
    chunks.push(kept.reverse());
    before = batch.resume;
    if (scanned >= PAGE_SCAN_BYTES) {
      atStart = false;
      break;
    }
  }
  const lines = chunks.reverse().flat();
  const last = lines[lines.length - 1];
  return {
    lines: lines.map((line) => viewLine(files, line)),
    before: cursorAt(files, before),
    after: cursorAt(files, last ? { file: last.file, offset: last.end } : start),
    atStart,
    atEnd: false,
  };
}
