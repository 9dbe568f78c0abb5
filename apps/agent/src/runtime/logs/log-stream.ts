import type { LogLine } from '@stevedore/shared';
import { inTimeRange, K8sLogParser, type LogQuery } from './k8s-log.js';
import { closeLogFiles, type OpenLogFile, openLogFiles, readRecords } from './log-files.js';
import { followLog } from './log-follow.js';
import { endOfRecords, findTailStart, type LogPosition } from './log-tail.js';

export interface LogStreamOptions {
  logPath: string;
  /** max-file: how many files the log may span (1: no rotated files). */
  maxFiles: number;
  query: LogQuery;
  /**
   * Go on with new lines until `done()` says the writer has finished (`finished` aborting says it
   * may have: the rest is read, a last unfinished line included, then following ends), or `signal`
   * aborts (at once).
   */
  follow: { done(): boolean; signal: AbortSignal; finished?: AbortSignal } | null;
  /** Runs once the backlog is read, before following (`run` starts the container there). */
  beforeFollow?: (() => Promise<void>) | undefined;
}

/** Lines a `--tail` with `--since`/`--until` holds at most twice over while it reads forwards. */
const BATCH_LINES = 2000;

/**
 * A container's log as batches of lines (one read of at most 64 KiB each): the files as they are
 * now, oldest first, then, when following, new lines as conmon writes them. Nothing is read
 * before the consumer asks for the next batch, so memory stays bounded for any log size and a
 * slow consumer holds the reading back.
 */
export async function* streamLog(options: LogStreamOptions): AsyncGenerator<LogLine[]> {
  const { query } = options;
  const { files, current } = await openLogFiles(options.logPath, options.maxFiles);
  let handedOver = false;
  try {
    const parser = new K8sLogParser();
    let start: LogPosition = { file: 0, offset: 0 };
    const timeBound = query.since !== null || query.until !== null;
    if (query.tail === 0 && files.length > 0) {
      const last = files.length - 1;
      start = { file: last, offset: await endOfRecords((files[last] as OpenLogFile).handle) };
    } else if (query.tail !== null && !timeBound) {
      start = await findTailStart(files, query.tail);
    }
    // The last N lines within a time range are only known at the end: a window of them is kept.
    const window: LogLine[] | null = query.tail !== null && query.tail > 0 && timeBound ? [] : null;
    let offset = 0;
    for (let index = start.file; index < files.length; index++) {
      const file = files[index] as OpenLogFile;
      offset = index === start.file ? start.offset : 0;
      for (;;) {
        const chunk = await readRecords(file.handle, offset);
        if (!chunk) break;
        offset = chunk.next;
        const lines = parser.push(chunk.text).filter((line) => inTimeRange(line, query));
        if (!window) {
          if (lines.length > 0) yield lines;
          continue;
        }
        for (const line of lines) window.push(line);
        if (window.length > 2 * (query.tail as number))
          window.splice(0, window.length - (query.tail as number));
      }
    }
    if (window) {
      const kept = window.splice(-(query.tail as number));
      for (let i = 0; i < kept.length; i += BATCH_LINES) yield kept.slice(i, i + BATCH_LINES);
    }
    if (!options.follow || query.until !== null) {
      const rest = parser.flush().filter((line) => inTimeRange(line, query));
      if (rest.length > 0) yield rest;
      return;
    }
    await options.beforeFollow?.();
    // The follower takes the current file over (and closes it); the rotated ones are done.
    handedOver = true;
    yield* followLog({
      logPath: options.logPath,
      maxFiles: options.maxFiles,
      file: current,
      offset: current ? offset : 0,
      parser,
      done: options.follow.done,
      signal: options.follow.signal,
      finished: options.follow.finished,
    });
  } finally {
    await closeLogFiles(handedOver ? files.filter((file) => file !== current) : files);
  }
}
