import type { ContainerRecord } from './container-record.js';
import type { ContainerContext } from './service-context.js';

const MAX_RESTART_DELAY_MS = 60_000;
const RESET_BACKOFF_AFTER_MS = 10_000;

/** `--restart`: whether an exited container comes back, and when (Docker's back-off). */
export class RestartPolicy {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly delays = new Map<string, number>();

  constructor(
    private readonly ctx: ContainerContext,
    /** Starts the container again; called under its lock. */
    private readonly startLocked: (record: ContainerRecord) => Promise<unknown>,
  ) {}

  shouldRestart(record: ContainerRecord): boolean {
    if (record.ManuallyStopped) return false;
    const policy = record.HostConfig.RestartPolicy;
    switch (policy.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return (
          record.State.ExitCode !== 0 &&
          (policy.MaximumRetryCount === 0 || record.RestartCount < policy.MaximumRetryCount)
        );
      default:
        return false;
    }
  }

  /** Docker's back-off: 100 ms doubling per quick failure, at most a minute; reset after 10 s up. */
  schedule(record: ContainerRecord): void {
    const { store, log } = this.ctx.deps;
    const id = record.Id;
    const ranFor = Date.parse(record.State.FinishedAt) - Date.parse(record.State.StartedAt);
    const previous = ranFor >= RESET_BACKOFF_AFTER_MS ? 0 : (this.delays.get(id) ?? 0);
    const delay = Math.min(previous === 0 ? 100 : previous * 2, MAX_RESTART_DELAY_MS);
    this.delays.set(id, delay);
    void this.ctx.withLock(id, async () => {
      const current = store.find(id);
      if (!current || current.State.Running) return;
      store.update({
        ...current,
        State: { ...current.State, Status: 'restarting', Restarting: true },
      });
    });
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.ctx
        .withLock(id, async () => {
          const current = store.find(id);
          if (!current || current.State.Running || current.ManuallyStopped || !current.State.Restarting)
            return;
          await this.startLocked({ ...current, RestartCount: current.RestartCount + 1 });
        })
        .catch((error) => {
          log.warn({ err: error, id }, 'restart failed');
          const current = store.find(id);
          if (current && this.shouldRestart({ ...current, State: { ...current.State, ExitCode: 1 } })) {
            this.schedule({ ...current, RestartCount: current.RestartCount + 1 });
          }
        });
    }, delay);
    timer.unref();
    this.timers.set(id, timer);
  }

  isScheduled(id: string): boolean {
    return this.timers.has(id);
  }

  cancel(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  /** The container is gone: its back-off starts afresh should the ID ever come back. */
  forget(id: string): void {
    this.delays.delete(id);
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
  }
}
