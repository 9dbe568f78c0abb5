import { randomBytes } from 'node:crypto';
import { type EndpointRequest, StevedoreError } from '@stevedore/shared';
import { macForAddress, pickAddress } from './ipam.js';
import type { NetworkContext } from './network-context.js';
import type { EndpointRecord, NetworkRecord } from './network-record.js';
import type { Attachment } from './sandbox-manager.js';

/**
 * Containers' endpoints on networks: the address, MAC and aliases a container keeps on a network
 * from `run`/`network connect` until it leaves it, recorded in the network's record.
 */

/** Gives the container an address on the network (kept until it leaves the network). */
export async function joinNetwork(
  ctx: NetworkContext,
  container: { Id: string; Name: string },
  ref: string,
  request: EndpointRequest = { Aliases: [], IPAMConfig: {} },
): Promise<Attachment> {
  const network = ctx.get(ref);
  if (network.Default && request.Aliases.length > 0) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      'network-scoped aliases are supported only for containers in user defined networks',
      { network: network.Name },
    );
  }
  // Joining always changes the endpoints, so the record comes back.
  const updated = (await updateEndpoints(ctx, network.Id, (current) => {
    if (current.Endpoints[container.Id]) {
      throw new StevedoreError(
        'CONFLICT',
        `endpoint with name ${container.Name} already exists in network ${current.Name}`,
        { network: current.Name, container: container.Id },
      );
    }
    const taken = new Set(Object.values(current.Endpoints).map((e) => e.IPAddress));
    const address = pickAddress({ ...current, taken }, request.IPAMConfig.IPv4Address);
    const endpoint: EndpointRecord = {
      EndpointID: randomBytes(32).toString('hex'),
      IPAddress: address,
      MacAddress: macForAddress(address),
      Aliases: request.Aliases,
      ContainerName: container.Name,
      ...(request.IPAMConfig.IPv4Address ? { RequestedAddress: request.IPAMConfig.IPv4Address } : {}),
    };
    return { ...current.Endpoints, [container.Id]: endpoint };
  })) as NetworkRecord;
  ctx.publish(updated, 'connect', container.Id);
  return { network: updated, endpoint: updated.Endpoints[container.Id] as EndpointRecord };
}

/** Releases the container's address on the network. */
export async function leaveNetwork(ctx: NetworkContext, containerId: string, ref: string): Promise<void> {
  const network = ctx.get(ref);
  const updated = await updateEndpoints(ctx, network.Id, (current) => {
    if (!current.Endpoints[containerId]) return null;
    const { [containerId]: _gone, ...rest } = current.Endpoints;
    return rest;
  });
  if (updated) ctx.publish(updated, 'disconnect', containerId);
}

/** The container's new name on every network it is on (what other members resolve). */
export async function renameEndpoints(ctx: NetworkContext, containerId: string, name: string): Promise<void> {
  for (const { network } of attachments(ctx, containerId)) {
    await updateEndpoints(ctx, network.Id, (current) => {
      const endpoint = current.Endpoints[containerId];
      return endpoint ? { ...current.Endpoints, [containerId]: { ...endpoint, ContainerName: name } } : null;
    });
  }
}

/** The container's networks, `primary` first, then by name. */
export function attachments(ctx: NetworkContext, containerId: string, primary?: string): Attachment[] {
  const primaryNetwork = primary === undefined ? undefined : ctx.find(primary);
  return ctx
    .all()
    .filter((network) => network.Endpoints[containerId])
    .sort((a, b) => {
      if (a.Id === primaryNetwork?.Id) return -1;
      if (b.Id === primaryNetwork?.Id) return 1;
      return a.Name.localeCompare(b.Name);
    })
    .map((network) => ({ network, endpoint: network.Endpoints[containerId] as EndpointRecord }));
}

/**
 * Changes a network's endpoints under its lock and persists them; `change` sees the record as
 * it is then, and returns null for "nothing to change". Resolves the new record, or null.
 */
function updateEndpoints(
  ctx: NetworkContext,
  networkId: string,
  change: (current: NetworkRecord) => NetworkRecord['Endpoints'] | null,
): Promise<NetworkRecord | null> {
  return ctx.lock.run(networkId, async () => {
    const current = ctx.get(networkId);
    const endpoints = change(current);
    if (endpoints === null) return null;
    const updated = { ...current, Endpoints: endpoints };
    await ctx.options.store.save(updated);
    ctx.networks.set(updated.Id, updated);
    return updated;
  });
}
