import type { ContainerSummary, HostContainerActionInput, SessionUser } from '@stevedore/shared';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentClient, AgentHub } from '../hub/agent-hub';
import { audited } from './audited';

const actions: Record<
  HostContainerActionInput['action'],
  (client: AgentClient, container: string) => Promise<unknown>
> = {
  start: (client, container) => client.containers.start.mutate({ container }),
  stop: (client, container) => client.containers.stop.mutate({ container }),
  restart: (client, container) => client.containers.restart.mutate({ container }),
  kill: (client, container) => client.containers.kill.mutate({ container }),
  pause: (client, container) => client.containers.pause.mutate({ container }),
  unpause: (client, container) => client.containers.unpause.mutate({ container }),
  remove: (client, container) => client.containers.remove.mutate({ container, force: true }),
};

/** Containers of one host through the hub: listing for every role, lifecycle actions audited. */
export class HostContainerService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
  ) {}

  async list(hostId: string): Promise<ContainerSummary[]> {
    await getHost(this.db, hostId);
    return this.hub.call(hostId, (client) => client.containers.list.query({ all: true }));
  }

  async act(actor: SessionUser, input: HostContainerActionInput): Promise<void> {
    await getHost(this.db, input.hostId);
    await audited(
      this.db,
      actor,
      { action: `container.${input.action}`, hostId: input.hostId, target: input.container },
      () => this.hub.call(input.hostId, (client) => actions[input.action](client, input.container)),
    );
  }
}
