/**
 * Live usage for `containers.stats` (the agent's shared 1 Hz sampler): a third of the running
 * containers busy (CPU, memory and network move every second), the rest idle (nothing moves).
 */
import type { ContainerStats, ContainerSummary } from '@stevedore/shared';
import { GiB } from './host-data';

const MiB = 1024 * 1024;

export interface ContainerStatsSource {
  subscribe(ids: readonly string[], stream: boolean, signal: AbortSignal): AsyncGenerator<ContainerStats[]>;
}

export function containerStats(containers: ContainerSummary[]): ContainerStatsSource {
  const usageOf = containers.map((container, i) => ({
    busy: i % 3 === 0,
    cpu: i % 3 === 0 ? 5 + Math.random() * 80 : 0,
    memory: (20 + (i % 17) * 13) * MiB,
    limit: i % 2 === 0 ? 512 * MiB : 32 * GiB,
    rx: 0,
    tx: 0,
    id: container.Id,
    name: (container.Names[0] ?? '').slice(1),
  }));
  const sample = (): ContainerStats[] => {
    const read = new Date().toISOString();
    return usageOf.flatMap((u, i) => {
      if (containers[i]?.State !== 'running') return [];
      if (u.busy) {
        u.cpu = Math.min(190, Math.max(0.5, u.cpu + (Math.random() - 0.5) * 8));
        u.memory = Math.max(8 * MiB, u.memory + Math.round((Math.random() - 0.5) * MiB));
        u.rx += Math.round(Math.random() * 200_000);
        u.tx += Math.round(Math.random() * 50_000);
      }
      return [
        {
          id: u.id,
          name: u.name,
          read,
          cpuPercent: u.cpu,
          memoryUsage: u.memory,
          memoryLimit: u.limit,
          memoryPercent: (u.memory / u.limit) * 100,
          networkRx: u.rx,
          networkTx: u.tx,
          blockRead: 0,
          blockWrite: 0,
          pids: 3,
        },
      ];
    });
  };
  return {
    async *subscribe(_ids: readonly string[], _stream: boolean, signal: AbortSignal) {
      while (!signal.aborted) {
        yield sample();
        await new Promise<void>((resolve) => {
          const onAbort = () => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          }, 1000);
          signal.addEventListener('abort', onAbort, { once: true });
        });
      }
    },
  };
}
