/**
 * One simulated host's agent services: synthetic, schema-valid answers to what the dashboard's fleet
 * pages, event feed, presets and mirrors benchmarks call. Everything else (exec, config, tokens…) is
 * left out: a call to it fails loudly.
 */
import type { AgentServices } from '../../../apps/agent/dist/api/trpc.js';
import { containerConfig } from './container-config';
import { containerStats } from './container-stats';
import { engineEvents } from './engine-events';
import { hostData } from './host-data';
import { registries } from './registries';

export interface SimulatedHostOptions {
  containers: number;
  /** One container event this often (0: none). */
  eventEveryMs: number;
  /** How long a simulated `containers.update` or registry change takes. */
  updateMs: number;
}

export function fakeHost(
  index: number,
  options: SimulatedHostOptions,
): { services: AgentServices; close(): void } {
  const data = hostData(index, options.containers);
  const { containers, images, df } = data;
  const events = engineEvents(containers, data.running, options.eventEveryMs);
  const { inspect, update } = containerConfig(containers, options.updateMs);
  const fake = {
    stats: containerStats(containers),
    system: {
      info: async () => data.info(),
      usage: async () => data.usage(),
      version: () => ({
        Version: '0.1.0',
        ApiVersion: '1.0',
        Os: 'linux' as const,
        Arch: 'x64',
        KernelVersion: '6.1.0-simulated',
        NodeVersion: process.version,
        GitCommit: 'simulated',
      }),
    },
    diskUsage: {
      report: async () => df,
      details: async () => {
        throw new Error('system.dfDetails is not simulated');
      },
    },
    containers: {
      list: (all: boolean) => (all ? containers : containers.filter((c) => c.State === 'running')),
      inspect,
      update,
      resolveIds: () => [],
      settled: async () => {},
    },
    images: { list: async () => images },
    registries: registries(options.updateMs),
    volumes: { list: async () => [] },
    networks: { list: () => [] },
    events: { stream: events.stream },
  };
  return { services: fake as unknown as AgentServices, close: events.close };
}
