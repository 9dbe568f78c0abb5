import type {
  ContainerInspect,
  FleetEvent,
  HostContainerRefInput,
  HostContainerTopInput,
  KillContainerInput,
  RemoveContainerInput,
  RenameContainerInput,
  SessionUser,
  TopResult,
} from '@stevedore/shared';
import {
  KillContainerInput as KillSchema,
  normalizeSignal,
  RemoveContainerInput as RemoveSchema,
  HostContainerTopInput as TopSchema,
} from '@stevedore/shared';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentHub } from '../hub/agent-hub';
import { agentCall } from './agent-errors';
import { audited } from './audited';
import type { EventService } from './event-service';

/**
 * One container of one host for its page: inspect, processes and events for every role; kill with a
 * signal, rename and remove with their parameters, each audited.
 */
export class ContainerDetailsService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly eventFeed: EventService,
  ) {}

  async inspect({ hostId, container }: HostContainerRefInput): Promise<ContainerInspect> {
    await getHost(this.db, hostId);
    return agentCall({ hostId, container }, () =>
      this.hub.call(hostId, (client) => client.containers.inspect.query({ container })),
    );
  }

  async top(input: HostContainerTopInput): Promise<TopResult> {
    const { hostId, container, psArgs } = TopSchema.parse(input);
    await getHost(this.db, hostId);
    return agentCall({ hostId, container }, () =>
      this.hub.call(hostId, (client) => client.containers.top.query({ container, psArgs })),
    );
  }

  /** The container's stored events, newest first (the live ones come through events.watch). */
  async events(
    input: HostContainerRefInput & { limit?: number; cursor?: string },
  ): Promise<{ events: FleetEvent[]; nextCursor: string | null }> {
    const id = await this.resolveId(input);
    return this.eventFeed.list({
      hostId: input.hostId,
      type: 'container',
      actor: id,
      limit: input.limit ?? 100,
      ...(input.cursor ? { cursor: input.cursor } : {}),
    });
  }

  async kill(actor: SessionUser, input: KillContainerInput): Promise<void> {
    const { hostId, container, signal } = KillSchema.parse(input);
    const canonical = normalizeSignal(signal).name;
    await getHost(this.db, hostId);
    await audited(
      this.db,
      actor,
      { action: 'container.kill', hostId, target: container, params: { signal: canonical } },
      () =>
        agentCall({ hostId, container }, () =>
          this.hub.call(hostId, (client) => client.containers.kill.mutate({ container, signal: canonical })),
        ),
    );
  }

  async rename(actor: SessionUser, { hostId, container, name }: RenameContainerInput): Promise<void> {
    await getHost(this.db, hostId);
    await audited(
      this.db,
      actor,
      { action: 'container.rename', hostId, target: container, params: { name } },
      () =>
        agentCall({ hostId, container }, () =>
          this.hub.call(hostId, (client) => client.containers.rename.mutate({ container, name })),
        ),
    );
  }

  async remove(actor: SessionUser, input: RemoveContainerInput): Promise<void> {
    const { hostId, container, volumes, force } = RemoveSchema.parse(input);
    await getHost(this.db, hostId);
    await audited(
      this.db,
      actor,
      { action: 'container.remove', hostId, target: container, params: { volumes, force } },
      () =>
        agentCall({ hostId, container }, () =>
          this.hub.call(hostId, (client) => client.containers.remove.mutate({ container, volumes, force })),
        ),
    );
  }

  /** A name or short id → the full id, which engine events carry as their actor. */
  private async resolveId(input: HostContainerRefInput): Promise<string> {
    if (/^[a-f0-9]{64}$/.test(input.container)) return input.container;
    return (await this.inspect(input)).Id;
  }
}
