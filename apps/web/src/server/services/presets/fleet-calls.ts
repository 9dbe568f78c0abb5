import type { ContainerLimits, HostConfig, ResourcesUpdate } from '@stevedore/shared';
import type { AgentHub } from '../../hub/agent-hub';
import { agentCall } from '../agent-errors';

/** The agent calls presets make, through the hub, with agent errors turned into domain errors. */
export class PresetFleetCalls {
  constructor(private readonly hub: AgentHub) {}

  list(hostId: string) {
    return agentCall({ hostId }, () =>
      this.hub.call(hostId, (client) => client.containers.list.query({ all: true })),
    );
  }

  async hostConfig(hostId: string, container: string): Promise<HostConfig> {
    const inspect = await agentCall({ hostId, container }, () =>
      this.hub.call(hostId, (client) => client.containers.inspect.query({ container })),
    );
    return inspect.HostConfig;
  }

  /** The limits as the kernel holds them (the agent reads the container's cgroup files). */
  limits(hostId: string, container: string): Promise<ContainerLimits> {
    return agentCall({ hostId, container }, () =>
      this.hub.call(hostId, (client) => client.containers.limits.query({ container })),
    );
  }

  /**
   * `containers.update`; only its warnings are used (newer agents also answer the limits read back
   * from the cgroup files, which presets read through inspect like every other value).
   */
  async update(hostId: string, container: string, resources: ResourcesUpdate): Promise<string[]> {
    const answer = await agentCall({ hostId, container }, () =>
      this.hub.call(hostId, (client) => client.containers.update.mutate({ container, resources })),
    );
    return answer.Warnings;
  }
}

/** Items by key, keys in first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
