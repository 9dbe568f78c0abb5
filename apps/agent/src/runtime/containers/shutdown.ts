import { normalizeSignal } from '@stevedore/shared';
import { DEFAULT_STOP_TIMEOUT_SECONDS } from '../bundle/default-profile.js';
import type { ContainerRecord } from './container-record.js';
import { withTimeout } from './exit-waiters.js';
import type { ContainerContext } from './service-context.js';
import { signalContainer } from './stop-container.js';

/**
 * A graceful shutdown without live-restore: every running container stops like Docker's do
 * (stop signal, then SIGKILL after its timeout). Not a manual stop: restart policies bring them
 * back when the agent starts again.
 */
export async function stopForShutdown(ctx: ContainerContext): Promise<void> {
  await Promise.all(
    ctx.deps.store
      .all()
      .filter((record) => record.State.Running)
      .map((record) =>
        stopOne(ctx, record).catch((error) =>
          ctx.deps.log.warn({ err: error, id: record.Id }, 'stop at shutdown failed'),
        ),
      ),
  );
}

async function stopOne(ctx: ContainerContext, record: ContainerRecord): Promise<void> {
  const exited = ctx.waiters.nextExit(record.Id);
  const signal = normalizeSignal(record.Config.StopSignal ?? 'SIGTERM');
  await signalContainer(ctx, record, signal.number, signal.name);
  if (!(await withTimeout(exited, (record.Config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS) * 1000))) {
    await signalContainer(ctx, record, 9, 'SIGKILL', true);
    await withTimeout(ctx.waiters.nextExit(record.Id, true), 10_000);
  }
}
