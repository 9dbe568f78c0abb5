import type { ContainerStats } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { AgentHub } from '../hub/agent-hub';

/**
 * One host's `containers.stats` stream (the agent's shared 1 Hz sampler, every container): each
 * batch to `onBatch` until unsubscribed; `onEnd` when the stream ends or could not start (the host
 * went away; the caller starts a new one when it is back).
 */
export function openStatsStream(
  hub: AgentHub,
  hostId: string,
  log: Logger,
  onBatch: (batch: ContainerStats[]) => void,
  onEnd: () => void,
): { unsubscribe(): void } {
  let cancelled = false;
  let live: { unsubscribe(): void } | null = null;
  const ended = (error: unknown, why: string) => {
    log.debug({ hostId, err: error }, why);
    onEnd();
  };
  hub
    .call(hostId, async (client) => {
      if (cancelled) return;
      live = client.containers.stats.subscribe(
        { containers: [], stream: true },
        {
          onData: (batch: ContainerStats[]) => {
            if (!cancelled) onBatch(batch);
          },
          onError: (error: unknown) => ended(error, 'stats stream ended; resumed when the host is back'),
        },
      );
    })
    .catch((error: unknown) => ended(error, 'stats stream not started; the host is not online'));
  return {
    unsubscribe: () => {
      cancelled = true;
      live?.unsubscribe();
    },
  };
}
