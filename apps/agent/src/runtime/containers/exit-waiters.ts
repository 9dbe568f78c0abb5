import type { WaitResult } from '@stevedore/shared';
import type { ContainerStore } from './container-store.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** Who waits for a container to exit or to be removed: `wait`, `stop`, an attached `run`. */
export class ContainerWaiters {
  private readonly exits = new Map<string, Set<() => void>>();
  /** Told the exit status as soon as it is known, before the namespace and mounts are undone. */
  private readonly exitStatuses = new Map<string, Set<(status: WaitResult) => void>>();
  private readonly removals = new Map<string, Set<() => void>>();

  constructor(private readonly store: ContainerStore) {}

  /** Resolves at the next exit (or removal); `recheck` also resolves when the exit already happened. */
  nextExit(id: string, recheck = false): Promise<void> {
    if (recheck && !this.store.find(id)?.State.Running) return Promise.resolve();
    return new Promise((resolve) => add(this.exits, id, resolve));
  }

  /** Resolves with the status of the next exit, as soon as it is recorded. */
  nextExitStatus(id: string): Promise<WaitResult> {
    return new Promise((resolve) => add(this.exitStatuses, id, resolve));
  }

  hasExitStatusWaiter(id: string): boolean {
    return this.exitStatuses.has(id);
  }

  exitStatusKnown(id: string, status: WaitResult): void {
    const set = this.exitStatuses.get(id);
    this.exitStatuses.delete(id);
    for (const resolve of set ?? []) resolve(status);
  }

  exited(id: string): void {
    notify(this.exits, id);
  }

  removed(id: string): void {
    this.exitStatuses.delete(id);
    notify(this.removals, id);
    notify(this.exits, id);
  }

  async wait(ref: string, condition: WaitCondition = 'not-running'): Promise<WaitResult> {
    const record = this.store.get(ref);
    const id = record.Id;
    if (condition === 'removed') {
      await new Promise<void>((resolve) => add(this.removals, id, resolve));
      return { StatusCode: record.State.ExitCode, OOMKilled: record.State.OOMKilled };
    }
    if (condition === 'not-running' && !record.State.Running && !record.State.Restarting) {
      return { StatusCode: record.State.ExitCode, OOMKilled: record.State.OOMKilled };
    }
    await this.nextExit(id);
    const after = this.store.find(id) ?? record;
    return { StatusCode: after.State.ExitCode, OOMKilled: after.State.OOMKilled };
  }
}

function add<T>(waiters: Map<string, Set<T>>, id: string, waiter: T): void {
  const set = waiters.get(id) ?? new Set();
  set.add(waiter);
  waiters.set(id, set);
}

function notify(waiters: Map<string, Set<() => void>>, id: string): void {
  const set = waiters.get(id);
  waiters.delete(id);
  for (const resolve of set ?? []) resolve();
}

/** Whether `promise` settled within `ms`. */
export async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
