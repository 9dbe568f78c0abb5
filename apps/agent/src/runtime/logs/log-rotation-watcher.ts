import { type FSWatcher, watch } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../util/logger.js';
import { heldLogPath, keepReplacedLog } from './log-rotation.js';

interface Watched {
  /** Null while resting after an event (see REST_MS). */
  watcher: FSWatcher | null;
  rest: NodeJS.Timeout | null;
  logPath: string;
  maxFiles: number;
  /** The rotation under way, if any. */
  running: Promise<void> | null;
  again: boolean;
}

/**
 * How long the watcher rests after an event of the log. inotify cannot be told to report only
 * renames, so each of conmon's writes would wake the agent; closed for this long after an event,
 * a busy log costs at most 1000 / REST_MS checks a second (two stats each), a quiet one nothing.
 * A rename during the rest is found by the check that ends it; conmon replacing its file twice
 * within one rest (max-size written in under REST_MS) loses the file in between.
 */
const REST_MS = 100;

/**
 * Keeps the files conmon replaces at `--log-size-max` (see log-rotation.ts), told by inotify of
 * the log's changes: one watcher per running container, no polling, no size checks.
 */
export class LogRotationWatcher {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly log: Logger) {}

  /** Starts keeping a container's rotated files; also settles a rotation that happened unwatched. */
  watch(id: string, logPath: string, maxFiles: number): void {
    if (maxFiles <= 1 || this.watched.has(id)) return;
    const entry: Watched = { watcher: null, rest: null, logPath, maxFiles, running: null, again: false };
    this.watched.set(id, entry);
    this.arm(id, entry);
    this.settle(id);
  }

  private arm(id: string, entry: Watched): void {
    const name = basename(entry.logPath);
    try {
      entry.watcher = watch(dirname(entry.logPath), (_event, file) => {
        if (file !== name || this.watched.get(id) !== entry || entry.rest) return;
        entry.watcher?.close();
        entry.watcher = null;
        this.settle(id);
        entry.rest = setTimeout(() => {
          entry.rest = null;
          if (this.watched.get(id) !== entry) return;
          this.arm(id, entry);
          this.settle(id);
        }, REST_MS);
      });
    } catch (error) {
      this.log.warn({ err: error, id }, 'cannot watch the log for rotation: rotated files are not kept');
      this.watched.delete(id);
      return;
    }
    entry.watcher.on('error', (error) => {
      this.log.warn({ err: error, id }, 'the log rotation watcher failed: rotated files are no longer kept');
      this.unwatch(id);
    });
  }

  unwatch(id: string): void {
    const entry = this.watched.get(id);
    if (!entry) return;
    entry.watcher?.close();
    if (entry.rest) clearTimeout(entry.rest);
    this.watched.delete(id);
  }

  /**
   * The container has stopped (conmon writes no more): the last replaced file is kept, and the
   * second name on the current one is removed, so only `<log>` and `<log>.N` remain.
   */
  async release(id: string): Promise<void> {
    const entry = this.watched.get(id);
    if (!entry) return;
    this.unwatch(id);
    await entry.running;
    try {
      await keepReplacedLog(entry.logPath, entry.maxFiles);
      await rm(heldLogPath(entry.logPath), { force: true });
    } catch (error) {
      this.log.warn({ err: error, id }, 'log rotation at the container end failed');
    }
  }

  close(): void {
    for (const id of [...this.watched.keys()]) this.unwatch(id);
  }

  /** One rotation at a time per container; events during one run it once more. */
  private settle(id: string): void {
    const entry = this.watched.get(id);
    if (!entry) return;
    if (entry.running) {
      entry.again = true;
      return;
    }
    entry.again = false;
    entry.running = keepReplacedLog(entry.logPath, entry.maxFiles)
      .then(
        () => {},
        (error) => this.log.warn({ err: error, id }, 'log rotation failed'),
      )
      .finally(() => {
        entry.running = null;
        if (entry.again && this.watched.get(id) === entry) this.settle(id);
      });
  }
}
