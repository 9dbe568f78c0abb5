import { createHash } from 'node:crypto';
import type { NetworkInspect } from '@stevedore/shared';
import { MODE_NETWORKS, type NetworkContext } from './network-context.js';
import { networkFilter } from './network-filters.js';
import { type NetworkRecord, prefixOf } from './network-record.js';

/** Whether a container's namespace is set up: only running members show in a network's Containers. */
type IsSetUp = (containerId: string) => boolean;

/** `docker network ls`: every network, with Docker's fixed `host` and `none` listed beside the bridges; `filters` as its --filter (see network-filters.ts). */
export function listNetworks(
  ctx: NetworkContext,
  isSetUp: IsSetUp,
  filters: readonly string[],
): NetworkInspect[] {
  return [
    ...ctx.all().map((network) => inspectRecord(network, isSetUp)),
    ...MODE_NETWORKS.map((name) => modeNetwork(ctx, name)),
  ]
    .filter(networkFilter(filters))
    .sort((a, b) => a.Name.localeCompare(b.Name));
}

/** `docker network inspect`: a bridge network, or `host`/`none` by name or ID. */
export function inspectNetwork(ctx: NetworkContext, isSetUp: IsSetUp, ref: string): NetworkInspect {
  const mode = MODE_NETWORKS.find((name) => name === ref || modeNetwork(ctx, name).Id.startsWith(ref));
  if (mode && !ctx.find(ref)) return modeNetwork(ctx, mode);
  return inspectRecord(ctx.get(ref), isSetUp);
}

/** `host` and `none` as `network ls` shows them: modes, not bridges, with a stable ID per agent. */
function modeNetwork(ctx: NetworkContext, name: (typeof MODE_NETWORKS)[number]): NetworkInspect {
  return {
    Name: name,
    Id: createHash('sha256').update(`${ctx.options.dataRoot}\0${name}`).digest('hex'),
    Created: '0001-01-01T00:00:00Z',
    Scope: 'local',
    Driver: name === 'host' ? 'host' : 'null',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Config: [] },
    Internal: false,
    Containers: {},
    Options: {},
    Labels: {},
  };
}

function inspectRecord(network: NetworkRecord, isSetUp: IsSetUp): NetworkInspect {
  const prefix = prefixOf(network);
  return {
    Name: network.Name,
    Id: network.Id,
    Created: network.Created,
    Scope: 'local',
    Driver: 'bridge',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Config: [{ Subnet: network.Subnet, Gateway: network.Gateway }] },
    Internal: network.Internal,
    Containers: Object.fromEntries(
      Object.entries(network.Endpoints)
        .filter(([containerId]) => isSetUp(containerId))
        .map(([containerId, endpoint]) => [
          containerId,
          {
            Name: endpoint.ContainerName,
            EndpointID: endpoint.EndpointID,
            MacAddress: endpoint.MacAddress,
            IPv4Address: `${endpoint.IPAddress}/${prefix}`,
            IPv6Address: '',
          },
        ]),
    ),
    Options: {
      'com.docker.network.bridge.name': network.Bridge,
      ...(network.Default ? { 'com.docker.network.bridge.default_bridge': 'true' } : {}),
    },
    Labels: network.Labels,
  };
}
