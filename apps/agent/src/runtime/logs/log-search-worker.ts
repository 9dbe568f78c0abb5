import { read } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { compileLogSearch, isStevedoreError, type LogSearchQuery } from '@stevedore/shared';
import { countMatches, type SearchRequest, searchLog } from './log-search-scan.js';
import type { ViewFile } from './log-view-files.js';

/** A log file the agent opened; the descriptor is shared with this thread (one process). */
export interface WorkerFile {
  fd: number;
  ino: number;
  head: string;
  size: number;
}

export type ToSearchWorker = { files: WorkerFile[]; query: LogSearchQuery } & (
  | { kind: 'search'; request: SearchRequest }
  | { kind: 'count'; request: Parameters<typeof countMatches>[2] }
);

export type FromSearchWorker =
  | { ok: true; result: unknown }
  | { ok: false; code: string | null; message: string }
  /** Sent as the scan moves on to another block (at most every PROGRESS_EVERY_MS). */
  | { progress: true };

const PROGRESS_EVERY_MS = 250;

const readAt = (fd: number) => (buffer: Buffer, position: number, length: number) =>
  new Promise<number>((resolve, reject) =>
    read(fd, buffer, 0, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes))),
  );

async function run(message: ToSearchWorker): Promise<unknown> {
  const files: ViewFile[] = message.files.map((file) => ({ ...file, read: readAt(file.fd) }));
  const matcher = compileLogSearch(message.query);
  let reportedAt = performance.now();
  const onBatch = () => {
    if (performance.now() - reportedAt < PROGRESS_EVERY_MS) return;
    reportedAt = performance.now();
    parentPort?.postMessage({ progress: true } satisfies FromSearchWorker);
  };
  return message.kind === 'search'
    ? searchLog(files, matcher, message.request, onBatch)
    : countMatches(files, matcher, message.request, onBatch);
}

// One search at a time per worker: the agent hands it the next only after this answer.
parentPort?.on('message', (message: ToSearchWorker) => {
  run(message).then(
    (result) => parentPort?.postMessage({ ok: true, result } satisfies FromSearchWorker),
    (error: unknown) =>
      parentPort?.postMessage({
        ok: false,
        code: isStevedoreError(error) ? error.code : null,
        message: error instanceof Error ? error.message : String(error),
      } satisfies FromSearchWorker),
  );
});
