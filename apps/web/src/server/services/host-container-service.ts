import type { ContainerSummary, HostContainerActionInput, SessionUser } from '@stevedore/shared';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentHub } from '../hub/agent-hub';
import { audited } from './audited';
import { runContainerAction } from './container-actions';

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
      // The host page removes a running container too; it asks the user first.
      () =>
        this.hub.call(input.hostId, (client) =>
          runContainerAction(client, input.action, input.container, { force: true }),
        ),
    );
  }
}
