import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LogLine } from '@stevedore/shared';
import type { K8sLogParser } from './k8s-log.js';
import {
  type OpenLogFile,
  openIfPresent,
  readRecords,
  rotatedGenerations,
  rotatedLogPath,
} from './log-files.js';

export interface FollowOptions {
  logPath: string;
  /** max-file: the rotated files a follower that fell behind goes through in order. */
  maxFiles: number;
  /** The current file, already read up to `offset` (null: none yet; it is opened once it appears). */
  file: OpenLogFile | null;
  offset: number;
  parser: K8sLogParser;
  /** Whether the writer has finished: once it has and everything is read, following ends. */
  done(): boolean;
  /** Aborted when `done()` may have turned true: wakes the follower to read the rest and end. */
  finished?: AbortSignal | undefined;
  signal: AbortSignal;
}

/**
 * New lines of a log as conmon writes them, a batch per read. Woken by inotify on the log's
 * directory (writes, and the rename by which conmon or a rotation replaces the file); no timer.
 * When the path names a new file, the old one is read to its end first (conmon wrote its last
 * record before it made the new one), then the file written after it from its beginning: the
 * newest, or a rotated one when the writer went through several while this one was read (only
 * files already deleted are skipped). Ends at once when
 * `signal` aborts, closing the file and the watcher.
 */
export async function* followLog(options: FollowOptions): AsyncGenerator<LogLine[]> {
  const { logPath, parser, signal } = options;
  let file = options.file;
  let offset = options.offset;
  let wake: (() => void) | null = null;
  // Set by every event, so one that comes between a read and the wait is not slept through.
  let nudged = false;
  const nudge = () => {
    nudged = true;
    wake?.();
  };
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(logPath), nudge);
    // An error ends inotify for this follower; the abort or the writer's end still finish it.
    watcher.on('error', nudge);
    signal.addEventListener('abort', nudge);
    options.finished?.addEventListener('abort', nudge);
    for (;;) {
      if (signal.aborted) return;
      nudged = false;
      const finished = options.done();
      if (file === null) {
        file = await openIfPresent(logPath);
        offset = 0;
      }
      if (file) {
        const chunk = await readRecords(file.handle, offset);
        if (chunk) {
          offset = chunk.next;
          const lines = parser.push(chunk.text);
          if (lines.length > 0) yield lines;
          continue;
        }
        const now = await stat(logPath).catch(() => null);
        if (now && now.ino !== file.ino) {
          // Replaced: what the old file still got before the new one appeared is read by the
          // reads above on the next rounds; only a read that finds nothing more moves on.
          if (await drained(file, offset)) {
            const done = file;
            const next = await successorOf(logPath, options.maxFiles, done);
            await done.handle.close();
            file = next.file;
            offset = 0;
            if (next.gap) {
              // The files after this one are gone (a follower slower than the writer): a record
              // cut at the end of this one has no continuation left to join.
              const cut = parser.flush();
              if (cut.length > 0) yield cut;
            }
          }
          continue;
        }
      }
      if (finished) {
        const rest = parser.flush();
        if (rest.length > 0) yield rest;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (nudged || signal.aborted) resolve();
      });
      wake = null;
    }
  } finally {
    watcher?.close();
    signal.removeEventListener('abort', nudge);
    options.finished?.removeEventListener('abort', nudge);
    await file?.handle.close();
  }
}

/** How long a follower waits for a rotation's renames to settle before it counts a file as gone. */
const SETTLE_TRIES = 100;
const SETTLE_PAUSE_MS = 10;

/**
 * The file written after `done`: the log's files by age are `<log>.N` … `<log>.1`
 * and `<log>` (`<log>.1` and `<log>` name the same file until conmon reopens). When `done` has been
 * deleted (no name left), the current file, with `gap` set: the files between were deleted unread.
 */
async function successorOf(
  logPath: string,
  maxFiles: number,
  done: OpenLogFile,
): Promise<{ file: OpenLogFile | null; gap: boolean }> {
  // A rotation renames every kept file up by one, one rename at a time: a listing taken while it
  // runs can miss a file or find `done` under no name. Only two equal listings are taken as the
  // order; `done` found under no name while it still has one means the renames are under way.
  for (let attempt = 0; attempt < SETTLE_TRIES; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_PAUSE_MS));
    const { paths, inodes } = await listByAge(logPath, maxFiles);
    const index = inodes.lastIndexOf(done.ino);
    if (index === -1) {
      if ((await done.handle.stat()).nlink === 0) break; // deleted: the files after it may be too
      continue;
    }
    const again = await listByAge(logPath, maxFiles);
    if (again.inodes.join() !== inodes.join()) continue;
    const after = inodes.slice(index + 1).findIndex((other) => other !== null && other !== done.ino);
    if (after === -1) return { file: null, gap: false };
    const position = index + 1 + after;
    const file = await openIfPresent(paths[position] as string);
    if (file && file.ino === inodes[position]) return { file, gap: false };
    await file?.handle.close();
  }
  return { file: await openIfPresent(logPath), gap: true };
}

/** The log's file names by age, oldest first, and the inode each names now (null: none). */
async function listByAge(
  logPath: string,
  maxFiles: number,
): Promise<{ paths: string[]; inodes: (number | null)[] }> {
  const paths = [
    ...(await rotatedGenerations(logPath))
      .filter((generation) => generation < maxFiles)
      .map((generation) => rotatedLogPath(logPath, generation)),
    logPath,
  ];
  const inodes = await Promise.all(
    paths.map((path) =>
      stat(path).then(
        (found) => found.ino,
        () => null, // not there (yet, or any more): the order of the others still holds
      ),
    ),
  );
  return { paths, inodes };
}

/** Whether nothing but an unfinished record is left in `file` after `offset`. */
async function drained(file: OpenLogFile, offset: number): Promise<boolean> {
  return (await readRecords(file.handle, offset)) === null;
}
