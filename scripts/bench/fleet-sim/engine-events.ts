/**
 * A simulated host's engine events: with `everyMs` > 0 one container toggles that often (it dies,
 * and comes back up on its next turn), each host at its own phase; strictly increasing nanoseconds,
 * as the agent's event bus stamps them.
 */
import type { ContainerSummary, EngineEvent } from '@stevedore/shared';

export interface EngineEvents {
  stream(input: { since?: string | null } | undefined, signal: AbortSignal): AsyncGenerator<EngineEvent>;
  close(): void;
}

export function engineEvents(containers: ContainerSummary[], running: number, everyMs: number): EngineEvents {
  const subscribers = new Set<(event: EngineEvent) => void>();
  // The recent past, for a stream resumed with `since` (as the agent's event log answers it).
  const history: EngineEvent[] = [];
  let lastNanos = 0n;
  const publish = (container: ContainerSummary, action: 'start' | 'die') => {
    let nanos = BigInt(Date.now()) * 1_000_000n;
    if (nanos <= lastNanos) nanos = lastNanos + 1n;
    lastNanos = nanos;
    const event: EngineEvent = {
      Type: 'container',
      Action: action,
      Actor: {
        ID: container.Id,
        Attributes: { name: (container.Names[0] ?? '').slice(1), image: container.Image },
      },
      scope: 'local',
      time: Number(nanos / 1_000_000_000n),
      timeNano: String(nanos),
    };
    history.push(event);
    if (history.length > 1_000) history.shift();
    for (const subscriber of subscribers) subscriber(event);
  };
  let tick: NodeJS.Timeout | null = null;
  let phase: NodeJS.Timeout | null = null;
  if (everyMs > 0 && running > 0) {
    let next = 0;
    phase = setTimeout(() => {
      tick = setInterval(() => {
        const container = containers[next % running] as ContainerSummary;
        const action = container.State === 'running' ? 'die' : 'start';
        container.State = action === 'die' ? 'exited' : 'running';
        container.Status = action === 'die' ? 'Exited (0) Less than a second ago' : 'Up Less than a second';
        if (action === 'start') next++;
        publish(container, action);
      }, everyMs);
    }, Math.random() * everyMs);
  }
  return {
    async *stream(
      input: { since?: string | null } | undefined,
      signal: AbortSignal,
    ): AsyncGenerator<EngineEvent> {
      // `since` is "seconds.nanoseconds", inclusive: replay the kept events from there on.
      const [seconds = '0', nanos = '0'] = (input?.since ?? '').split('.');
      const from = input?.since ? BigInt(seconds) * 1_000_000_000n + BigInt(nanos.padEnd(9, '0')) : null;
      const queue: EngineEvent[] = from === null ? [] : history.filter((e) => BigInt(e.timeNano) >= from);
      let wake: (() => void) | null = null;
      const push = (event: EngineEvent) => {
        queue.push(event);
        wake?.();
      };
      const onAbort = () => wake?.();
      subscribers.add(push);
      signal.addEventListener('abort', onAbort);
      try {
        while (!signal.aborted) {
          const event = queue.shift();
          if (event) yield event;
          else
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
          wake = null;
        }
      } finally {
        subscribers.delete(push);
        signal.removeEventListener('abort', onAbort);
      }
    },
    close: () => {
      if (phase) clearTimeout(phase);
      if (tick) clearInterval(tick);
    },
  };
}
