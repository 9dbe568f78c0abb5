import { join } from 'node:path';
import { type LogLine, StevedoreError, type WaitResult } from '@stevedore/shared';
import { parseTimeBound } from '../../util/time-bound.js';
import { DEFAULT_LOG_LIMITS, type LogLimits, logLimits } from '../logs/log-limits.js';
import { LogRotationWatcher } from '../logs/log-rotation-watcher.js';
import { streamLog } from '../logs/log-stream.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerContext } from './service-context.js';

export interface LogOptions {
  follow: boolean;
  tail: number | null;
  since: string | null;
  until: string | null;
}

export type OutputEvent = { type: 'lines'; lines: LogLine[] } | { type: 'exit'; result: WaitResult };

/**
 * A container's log file: its size limits and rotation while it runs, and reading it (`logs`,
 * `run` without a terminal) with tail/since/until, following it until the container stops.
 */
export class ContainerLogs {
  private readonly rotation: LogRotationWatcher;

  constructor(
    private readonly ctx: ContainerContext,
    /** Starts a container (for `run`, once the reader waits for its exit). */
    private readonly start: (id: string) => Promise<unknown>,
  ) {
    this.rotation = new LogRotationWatcher(ctx.deps.log);
  }

  /** max-size / max-file for a container: its own --log-opt, else the agent's log-opts, else the defaults. */
  limits(record: ContainerRecord): LogLimits | null {
    if (record.HostConfig.LogConfig.Type === 'none') return null;
    return logLimits(this.ctx.deps.logOpts, record.HostConfig.LogConfig.Config);
  }

  /** How many files a log may span; reading works even when the options became invalid since. */
  filesToRead(record: ContainerRecord): number {
    try {
      return this.limits(record)?.maxFiles ?? 1;
    } catch {
      return DEFAULT_LOG_LIMITS.maxFiles;
    }
  }

  /** Rotates the running container's log when it outgrows max-size (conmon's control FIFO is in its bundle). */
  watch(record: ContainerRecord): void {
    const limits = this.limits(record);
    const id = record.Id;
    if (limits) this.rotation.watch(id, this.ctx.logPath(id), join(this.ctx.runtimeDir(id), 'ctl'), limits);
  }

  /** The container stopped: its log no longer grows. */
  release(id: string): Promise<void> {
    return this.rotation.release(id, this.ctx.logPath(id));
  }

  close(): void {
    this.rotation.close();
  }

  /**
   * The container's output: what the log holds (tail/since/until), then with `follow` new lines
   * until it stops. `startIt` (for `run`) starts the container once the exit waiter is in place,
   * so a quick exit cannot be missed, follows, and ends with the exit status.
   */
  async *output(
    ref: string,
    options: LogOptions & { startIt: boolean },
    signal: AbortSignal,
  ): AsyncGenerator<OutputEvent> {
    const { store } = this.ctx.deps;
    const id = store.get(ref).Id;
    if (store.get(id).HostConfig.LogConfig.Type === 'none') {
      // Docker's words: `run` in the foreground shows the output through the attach socket instead.
      throw new StevedoreError('FAILED_PRECONDITION', 'configured logging driver does not support reading', {
        id,
      });
    }
    let result: WaitResult | null = null;
    // The exit status as soon as it is known, or, if the container goes another way (removed by
    // force), once it is gone; either ends the following of the log once the rest of it is read
    // (a last line without a newline included: conmon wrote everything before the exit).
    const ended = new AbortController();
    const exitWait = Promise.race([
      this.ctx.waiters.nextExitStatus(id),
      this.ctx.waiters.nextExit(id).then(() => {
        const after = store.find(id);
        return { StatusCode: after?.State.ExitCode ?? 0, OOMKilled: after?.State.OOMKilled ?? false };
      }),
    ]).then((status) => {
      result = status;
      ended.abort();
    });
    const query = {
      tail: options.tail,
      since: options.since ? parseTimeBound(options.since) : null,
      until: options.until ? parseTimeBound(options.until) : null,
    };
    const record = store.get(id);
    const running = record.State.Running || record.State.Restarting;
    // `run` follows from the start it makes; `logs -f` only a container that may still write.
    const follow = options.startIt || (options.follow && query.until === null && running);
    const lines = streamLog({
      logPath: this.ctx.logPath(id),
      maxFiles: this.filesToRead(record),
      query,
      follow: follow ? { done: () => result !== null, signal, finished: ended.signal } : null,
      beforeFollow: options.startIt ? async () => void (await this.start(id)) : undefined,
    });
    for await (const batch of lines) yield { type: 'lines', lines: batch };
    if (options.startIt) {
      await exitWait;
      if (result) yield { type: 'exit', result };
    }
  }
}
