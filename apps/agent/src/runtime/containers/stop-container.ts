import { normalizeSignal, StevedoreError } from '@stevedore/shared';
import { DEFAULT_STOP_TIMEOUT_SECONDS } from '../bundle/default-profile.js';
import type { ContainerRecord } from './container-record.js';
import { withTimeout } from './exit-waiters.js';
import type { RestartPolicy } from './restart-policy.js';
import type { ContainerContext } from './service-context.js';
import type { ContainerStarter } from './start-container.js';

/** `stop`, `kill` and `restart`: signals to a running container, and waiting for it to end. */
export class ContainerStopper {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly restarts: Pick<RestartPolicy, 'cancel'>,
    private readonly starter: Pick<ContainerStarter, 'start'>,
  ) {}

  async stop(ref: string, timeoutSeconds?: number, signalOverride?: string): Promise<void> {
    const { store, runc, log } = this.ctx.deps;
    const record = store.get(ref);
    const id = record.Id;
    this.restarts.cancel(id);
    const running = await this.ctx.withLock(id, async () => {
      const current = store.get(id);
      const next: ContainerRecord = {
        ...current,
        ManuallyStopped: true,
        State: current.State.Restarting
          ? { ...current.State, Status: 'exited', Restarting: false }
          : current.State,
      };
      // The signal must not wait for the disk (it may be full): the record follows in the background.
      store.update(next);
      return next.State.Running;
    });
    if (!running) return;
    const signal = normalizeSignal(signalOverride ?? record.Config.StopSignal ?? 'SIGTERM');
    const timeout = timeoutSeconds ?? record.Config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS;
    const exited = this.ctx.waiters.nextExit(id);
    if (record.State.Paused) {
      // A frozen container would not see the signal; if resuming fails, SIGKILL after the timeout still ends it.
      await runc.resume(id).catch((error) => log.debug({ err: error, id }, 'resuming before stop failed'));
    }
    await signalContainer(this.ctx, record, signal.number, signal.name);
    const inTime = timeout < 0 ? await exited.then(() => true) : await withTimeout(exited, timeout * 1000);
    if (!inTime && store.find(id)?.State.Running) {
      await signalContainer(this.ctx, record, 9, 'SIGKILL', true);
      if (!(await withTimeout(this.ctx.waiters.nextExit(id, true), 30_000))) {
        throw new StevedoreError('INTERNAL', `container ${record.Name} did not exit after SIGKILL`, {
          container: id,
        });
      }
    }
    this.ctx.publish(store.find(id) ?? record, 'stop');
    await store.written(id);
  }

  async kill(ref: string, signalText = 'SIGKILL'): Promise<void> {
    const { store } = this.ctx.deps;
    const signal = normalizeSignal(signalText);
    const record = store.get(ref);
    if (!record.State.Running) {
      throw new StevedoreError(
        'CONFLICT',
        `Cannot kill container: ${ref}: Container ${record.Id} is not running`,
        { container: record.Id },
      );
    }
    const stopSignal = normalizeSignal(record.Config.StopSignal ?? 'SIGTERM');
    if (signal.number === 9 || signal.number === stopSignal.number) {
      await this.ctx.withLock(record.Id, async () =>
        store.update({ ...store.get(record.Id), ManuallyStopped: true }),
      );
    }
    await signalContainer(this.ctx, record, signal.number, signal.name, signal.number === 9);
    await store.written(record.Id);
  }

  async restart(ref: string, timeoutSeconds?: number): Promise<void> {
    await this.stop(ref, timeoutSeconds);
    await this.starter.start(ref);
    this.ctx.publish(this.ctx.deps.store.get(ref), 'restart');
  }
}

/** Sends `number` to the container's init (`all`: to every process of it) and publishes `kill`. */
export async function signalContainer(
  ctx: ContainerContext,
  record: ContainerRecord,
  number: number,
  name: string,
  all = false,
): Promise<void> {
  await ctx.deps.runc.kill(record.Id, number, all).catch((error) => {
    // Already gone between the check and the signal: the exit handler takes it from here.
    if (!/not running|container not running|no such process/i.test(String(error))) throw error;
  });
  ctx.publish(record, 'kill', { signal: String(number) });
  ctx.deps.log.debug({ id: record.Id, signal: name }, 'signalled container');
}
