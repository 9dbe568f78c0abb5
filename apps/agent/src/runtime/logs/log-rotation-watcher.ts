import { type FSWatcher, watch } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../util/logger.js';
import { heldLogPath, keepReplacedLog } from './log-rotation.js';

interface Watched {
  watcher: FSWatcher;
  logPath: string;
  maxFiles: number;
  /** The rotation under way, if any. */
  running: Promise<void> | null;
  again: boolean;
}

/**
 * Keeps the files conmon replaces at `--log-size-max` (see log-rotation.ts), told by inotify of
 * the rename that replaces the log: one watcher per running container, no timer, no size checks.
 * conmon's writes reach the same watcher as change events and are dropped at the first test.
 */
export class LogRotationWatcher {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly log: Logger) {}

  /** Starts keeping a container's rotated files; also settles a rotation that happened unwatched. */
  watch(id: string, logPath: string, maxFiles: number): void {
    if (maxFiles <= 1 || this.watched.has(id)) return;
    const name = basename(logPath);
    let watcher: FSWatcher;
    try {
      watcher = watch(dirname(logPath), (event, file) => {
        if (event === 'rename' && file === name) this.settle(id);
      });
    } catch (error) {
      this.log.warn({ err: error, id }, 'cannot watch the log for rotation: rotated files are not kept');
      return;
    }
    watcher.on('error', (error) => {
      this.log.warn({ err: error, id }, 'the log rotation watcher failed: rotated files are no longer kept');
      this.unwatch(id);
    });
    this.watched.set(id, { watcher, logPath, maxFiles, running: null, again: false });
    this.settle(id);
  }

  unwatch(id: string): void {
    this.watched.get(id)?.watcher.close();
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
