import {
  type ContainerSummary,
  type HostNetwork,
  type HostNetworkConnectInput,
  HostNetworkConnectInputSchema,
  type HostNetworkCreateInput,
  HostNetworkCreateInputSchema,
  type HostNetworkDisconnectInput,
  HostNetworkDisconnectInputSchema,
  type HostNetworkPruneInput,
  type HostNetworkRef,
  isBuiltInNetwork,
  isStevedoreError,
  type NetworkInspect,
  type NetworkMember,
  type NetworkPrunePreview,
  type PruneOutcome,
  type SessionUser,
} from '@stevedore/shared';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentClient, AgentHub } from '../hub/agent-hub';
import { agentCall, fromAgentError } from './agent-errors';
import { audited } from './audited';

/** Containers whose network namespace is set up: the engine lists them in a network's Containers. */
const LIVE_STATES = new Set<ContainerSummary['State']>(['running', 'paused', 'restarting']);

const containerName = (summary: ContainerSummary) => (summary.Names[0] ?? summary.Id).replace(/^\//, '');

/**
 * A host's networks through the hub: listing and inspecting for every role, changes audited with
 * their parameters. A network's members include stopped containers (they keep their place on it and
 * block its removal), which the engine's inspect leaves out.
 */
export class NetworkService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
  ) {}

  async list(hostId: string): Promise<HostNetwork[]> {
    await getHost(this.db, hostId);
    return agentCall({ hostId }, () =>
      this.hub.call(hostId, async (client) => {
        const [networks, stopped] = await Promise.all([
          client.networks.list.query({ filters: [] }),
          stoppedMembers(client),
        ]);
        return networks.map((network) => hostNetwork(network, stopped.get(network.Id) ?? []));
      }),
    );
  }

  /** One network with every member's name, address and aliases. */
  async inspect({ hostId, network }: HostNetworkRef): Promise<HostNetwork> {
    await getHost(this.db, hostId);
    return agentCall({ hostId, network }, () =>
      this.hub.call(hostId, async (client) => {
        const [inspect, stopped] = await Promise.all([
          client.networks.inspect.query({ network }),
          stoppedMembers(client),
        ]);
        const row = hostNetwork(inspect, stopped.get(inspect.Id) ?? []);
        // The engine's network view has no aliases: read them from the running members themselves.
        const members = await Promise.all(
          row.members.map(async (member) => {
            if (!member.running) return member;
            const endpoint = await containerEndpoint(client, member.id, inspect.Id);
            return endpoint ? { ...member, aliases: endpoint.Aliases } : member;
          }),
        );
        return { ...row, members };
      }),
    );
  }

  async create(actor: SessionUser, input: HostNetworkCreateInput): Promise<{ id: string }> {
    const { hostId, network } = HostNetworkCreateInputSchema.parse(input);
    await getHost(this.db, hostId);
    return audited(
      this.db,
      actor,
      { action: 'network.create', hostId, target: network.Name, params: { ...network } },
      () =>
        agentCall({ hostId, network: network.Name }, async () => {
          const created = await this.hub.call(hostId, (client) => client.networks.create.mutate(network));
          return { id: created.Id };
        }),
    );
  }

  async remove(actor: SessionUser, { hostId, network }: HostNetworkRef): Promise<void> {
    await getHost(this.db, hostId);
    await audited(this.db, actor, { action: 'network.remove', hostId, target: network }, () =>
      agentCall({ hostId, network }, () =>
        this.hub.call(hostId, async (client) => {
          await client.networks.remove.mutate({ network });
        }),
      ),
    );
  }

  async connect(actor: SessionUser, input: HostNetworkConnectInput): Promise<void> {
    const { hostId, ...request } = HostNetworkConnectInputSchema.parse(input);
    await getHost(this.db, hostId);
    await audited(
      this.db,
      actor,
      {
        action: 'network.connect',
        hostId,
        target: request.network,
        params: { container: request.container, aliases: request.Aliases, ipv4Address: request.IPv4Address },
      },
      () =>
        agentCall({ hostId, network: request.network, container: request.container }, () =>
          this.hub.call(hostId, async (client) => {
            await client.networks.connect.mutate(request);
          }),
        ),
    );
  }

  async disconnect(actor: SessionUser, input: HostNetworkDisconnectInput): Promise<void> {
    const { hostId, ...request } = HostNetworkDisconnectInputSchema.parse(input);
    await getHost(this.db, hostId);
    await audited(
      this.db,
      actor,
      {
        action: 'network.disconnect',
        hostId,
        target: request.network,
        params: { container: request.container, force: request.force },
      },
      () =>
        agentCall({ hostId, network: request.network, container: request.container }, () =>
          this.hub.call(hostId, async (client) => {
            await client.networks.disconnect.mutate(request);
          }),
        ),
    );
  }

  /** What `network prune` would remove now: user networks with no container on them, running or not. */
  async prunePreview(hostId: string): Promise<NetworkPrunePreview> {
    const networks = await this.list(hostId);
    return {
      networks: networks
        .filter((row) => !row.builtIn && row.network.Driver === 'bridge' && row.members.length === 0)
        .map(({ network }) => ({ id: network.Id, name: network.Name, created: network.Created })),
    };
  }

  /**
   * Removes the previewed networks one by one: one that gained a container since the preview is
   * kept, with the engine's reason, and a network made since the preview is never touched.
   */
  async prune(actor: SessionUser, { hostId, networks }: HostNetworkPruneInput): Promise<PruneOutcome> {
    await getHost(this.db, hostId);
    return audited(this.db, actor, { action: 'network.prune', hostId, params: { networks } }, () =>
      this.hub.call(hostId, async (client) => {
        const outcome: PruneOutcome = { removed: [], kept: [], spaceReclaimed: 0 };
        for (const network of networks) {
          try {
            await client.networks.remove.mutate({ network });
            outcome.removed.push(network);
          } catch (error) {
            const cause = fromAgentError(error, { hostId, network });
            outcome.kept.push({ name: network, reason: (cause as Error).message });
          }
        }
        return outcome;
      }),
    );
  }
}

function hostNetwork(network: NetworkInspect, stopped: NetworkMember[]): HostNetwork {
  const running = Object.entries(network.Containers).map(
    ([id, endpoint]): NetworkMember => ({
      id,
      name: endpoint.Name,
      running: true,
      ipv4Address: endpoint.IPv4Address,
      macAddress: endpoint.MacAddress,
      aliases: [],
    }),
  );
  const members = [...running, ...stopped.filter((member) => !network.Containers[member.id])].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  return { network, members, builtIn: isBuiltInNetwork(network) };
}

/** Every stopped container's places on networks (by network ID), from their own inspect. */
async function stoppedMembers(client: AgentClient): Promise<Map<string, NetworkMember[]>> {
  const summaries = await client.containers.list.query({ all: true });
  const byNetwork = new Map<string, NetworkMember[]>();
  await Promise.all(
    summaries
      .filter((summary) => !LIVE_STATES.has(summary.State))
      .map(async (summary) => {
        const inspect = await inspectIfPresent(client, summary.Id);
        for (const endpoint of Object.values(inspect?.NetworkSettings.Networks ?? {})) {
          const member: NetworkMember = {
            id: summary.Id,
            name: containerName(summary),
            running: false,
            ipv4Address: endpoint.IPAddress ? `${endpoint.IPAddress}/${endpoint.IPPrefixLen}` : '',
            macAddress: endpoint.MacAddress,
            aliases: endpoint.Aliases,
          };
          byNetwork.set(endpoint.NetworkID, [...(byNetwork.get(endpoint.NetworkID) ?? []), member]);
        }
      }),
  );
  return byNetwork;
}

async function containerEndpoint(client: AgentClient, containerId: string, networkId: string) {
  const inspect = await inspectIfPresent(client, containerId);
  return (
    Object.values(inspect?.NetworkSettings.Networks ?? {}).find((e) => e.NetworkID === networkId) ?? null
  );
}

/** A container's inspect, or null when it was removed since it was listed. */
async function inspectIfPresent(client: AgentClient, container: string) {
  try {
    return await client.containers.inspect.query({ container });
  } catch (error) {
    const cause = fromAgentError(error, { container });
    if (isStevedoreError(cause) && cause.code === 'NOT_FOUND') return null;
    throw cause;
  }
}
