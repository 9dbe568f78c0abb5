import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../util/logger.js';
import type { LogLimits } from './log-limits.js';
import { keepCurrentLog, logState, reopenDue, requestReopen, settleStoppedLog } from './log-rotation.js';

interface Watched {
  logPath: string;
  ctlFifo: string;
  limits: LogLimits;
  /** Null while resting after an event (see restAfter). */
  watcher: FSWatcher | null;
  rest: NodeJS.Timeout | null;
  /** The check under way, if any; `again` when an event came during it. */
  running: Promise<void> | null;
  again: boolean;
  /** How long to rest after the next event, as the last check found it. */
  restMs: number;
  /** The inode of `<log>` when this agent asked conmon to reopen, until conmon has. */
  reopening: number | null;
  /** When a reopen due from before this watch was first seen (see INHERITED_REOPEN_GRACE_MS). */
  dueSince: number | null;
  /** The last size seen and when, and the writer's pace from it (bytes per ms). */
  last: { ino: number; size: number; at: number } | null;
  pace: number;
  askedAt: number;
}

/**
 * The longest the watcher rests after an event of the log. inotify cannot be told to report only
 * some changes, so each of conmon's writes would wake the agent; closed for a while after an
 * event, a busy log costs a bounded number of checks a second, a quiet one nothing. The rest is
 * shorter as the file nears max-size at the writer's pace (to MIN_REST_MS), so the file passes
 * max-size by about what the writer writes in that time.
 */
const MAX_REST_MS = 100;
const MIN_REST_MS = 1;
const PACE_SAMPLE_MS = 5;

/**
 * A reopen due that this agent did not ask for (it was killed between the link and the request,
 * or right after the request) is asked for once it has stayed due this long: a request the
 * previous agent made is long done by conmon by then, and asking twice would replace the new file.
 */
const INHERITED_REOPEN_GRACE_MS = 250;

/**
 * Rotates the logs of running containers at max-size (see log-rotation.ts), told by inotify of
 * the log's changes: one watcher per running container, no polling.
 */
export class LogRotationWatcher {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly log: Logger) {}

  /** Starts rotating a container's log; also finishes a rotation an earlier agent left half done. */
  watch(id: string, logPath: string, ctlFifo: string, limits: LogLimits): void {
    if (this.watched.has(id)) return;
    const entry: Watched = {
      logPath,
      ctlFifo,
      limits,
      watcher: null,
      rest: null,
      running: null,
      again: false,
      restMs: MAX_REST_MS,
      reopening: null,
      dueSince: null,
      last: null,
      pace: 0,
      askedAt: 0,
    };
    this.watched.set(id, entry);
    this.arm(id, entry);
    this.check(id);
  }

  private arm(id: string, entry: Watched): void {
    const names = new Set([basename(entry.logPath)]);
    try {
      entry.watcher = watch(dirname(entry.logPath), (_event, file) => {
        if (!names.has(file ?? '') || this.watched.get(id) !== entry || !entry.watcher) return;
        entry.watcher.close();
        entry.watcher = null;
        this.check(id);
      });
    } catch (error) {
      this.log.warn({ err: error, id }, 'cannot watch the log: it is not rotated');
      this.watched.delete(id);
      return;
    }
    entry.watcher.on('error', (error) => {
      this.log.warn({ err: error, id }, 'the log rotation watcher failed: the log is no longer rotated');
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
   * The container has stopped (conmon writes no more): a reopen it did not get to is undone (see
   * settleStoppedLog). Also for a container that stopped while no agent watched it. A burst that
   * filled the file past max-size and ended before the watcher's next check (a short `run`) is
   * rotated now, as Docker's logger would have on the write that crossed it.
   */
  async release(id: string, logPath: string): Promise<void> {
    const entry = this.watched.get(id);
    this.unwatch(id);
    await entry?.running;
    try {
      if (entry) await this.rotateLastBurst(entry);
      await settleStoppedLog(logPath);
    } catch (error) {
      this.log.warn({ err: error, id }, 'settling the log at the container end failed');
    }
  }

  close(): void {
    for (const id of [...this.watched.keys()]) this.unwatch(id);
  }

  private async rotateLastBurst(entry: Watched): Promise<void> {
    const state = await logState(entry.logPath);
    if (!state.current || reopenDue(state) || entry.limits.maxFiles <= 1) return;
    if (state.current.size >= entry.limits.maxSize)
      await keepCurrentLog(entry.logPath, entry.limits.maxFiles);
  }

  /**
   * One check at a time per container; an event during one runs it once more. When none runs
   * and the watcher is closed, it rests, then watches and checks again (a change during the rest
   * is found by that check).
   */
  private check(id: string): void {
    const entry = this.watched.get(id);
    if (!entry) return;
    if (entry.running) {
      entry.again = true;
      return;
    }
    entry.again = false;
    entry.running = this.rotateIfFull(entry)
      .catch((error) => {
        entry.restMs = MAX_REST_MS;
        this.log.warn({ err: error, id }, 'log rotation failed');
      })
      .finally(() => {
        entry.running = null;
        if (this.watched.get(id) !== entry) return;
        if (entry.again) {
          this.check(id);
          return;
        }
        if (entry.watcher || entry.rest) return;
        entry.rest = setTimeout(() => {
          entry.rest = null;
          if (this.watched.get(id) !== entry) return;
          this.arm(id, entry);
          this.check(id);
        }, entry.restMs);
      });
  }

  /** Rotates when the current file has reached max-size; sets how long to rest after the next event. */
  private async rotateIfFull(entry: Watched): Promise<void> {
    const state = await logState(entry.logPath);
    const { current } = state;
    const now = performance.now();
    if (!current) {
      entry.restMs = MAX_REST_MS;
      return;
    }
    if (entry.reopening !== null) {
      // conmon replaces `<log>` with one rename: that event ends the wait.
      if (current.ino === entry.reopening) {
        entry.restMs = 0;
        return;
      }
      this.log.debug({ log: entry.logPath, waitedMs: now - entry.askedAt }, 'conmon reopened the log');
      entry.reopening = null;
    }
    this.learnPace(entry, current, now);
    if (reopenDue(state)) {
      entry.dueSince ??= now;
      if (now - entry.dueSince < INHERITED_REOPEN_GRACE_MS) {
        entry.restMs = INHERITED_REOPEN_GRACE_MS;
        return;
      }
      await this.reopen(entry, current.ino);
      return;
    }
    entry.dueSince = null;
    if (current.size >= entry.limits.maxSize) {
      this.log.debug({ log: entry.logPath, size: current.size, pace: entry.pace }, 'rotating the log');
      await keepCurrentLog(entry.logPath, entry.limits.maxFiles);
      await this.reopen(entry, current.ino);
      return;
    }
    const untilFull = entry.pace > 0 ? (entry.limits.maxSize - current.size) / entry.pace : Infinity;
    entry.restMs = Math.max(MIN_REST_MS, Math.min(MAX_REST_MS, untilFull / 2));
  }

  /** A request that fails leaves the reopen due: the check after the grace asks again. */
  private async reopen(entry: Watched, ino: number): Promise<void> {
    entry.dueSince = performance.now();
    await requestReopen(entry.ctlFifo);
    entry.askedAt = performance.now();
    entry.reopening = ino;
    entry.dueSince = null;
    entry.last = null;
    entry.restMs = 0;
  }

  /**
   * The writer's pace from two looks at least PACE_SAMPLE_MS apart (two checks in a row see the
   * same size, which is no pace at all).
   */
  private learnPace(entry: Watched, current: { ino: number; size: number }, now: number): void {
    const last = entry.last;
    if (last && last.ino === current.ino && now - last.at < PACE_SAMPLE_MS) return;
    if (last && last.ino === current.ino && current.size >= last.size) {
      entry.pace = (current.size - last.size) / (now - last.at);
    }
    entry.last = { ino: current.ino, size: current.size, at: now };
  }
}
