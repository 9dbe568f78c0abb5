import { randomBytes } from 'node:crypto';
import {
  formatIpv4,
  formatSubnet,
  type Ipv4Subnet,
  type NetworkCreate,
  parseCidr,
  StevedoreError,
  subnetsOverlap,
} from '@stevedore/shared';
import { ensureBridge, removeBridge } from './links.js';
import { DEFAULT_NETWORK, MODE_NETWORKS, type NetworkContext } from './network-context.js';
import type { NetworkDns } from './network-dns.js';
import type { NetworkRecord } from './network-record.js';

/**
 * Bridge networks made and removed: each is a record on disk, a Linux bridge with the gateway
 * address, its iptables rules and (user networks) an embedded DNS server.
 */

/** The default network follows --bridge/--bip; without --bip it keeps the subnet it had. */
export async function reconcileDefaultNetwork(ctx: NetworkContext): Promise<void> {
  const existing = ctx.all().find((n) => n.Default);
  const wanted = ctx.options.bip ? parseCidr(ctx.options.bip) : null;
  let subnet: string;
  let gateway: string;
  if (wanted) {
    subnet = formatSubnet(wanted.subnet);
    gateway = formatIpv4(wanted.address);
  } else if (existing) {
    subnet = existing.Subnet;
    gateway = existing.Gateway;
  } else {
    const free = await ctx.freeSubnet();
    subnet = formatSubnet(free);
    gateway = formatIpv4(free.network + 1);
  }
  const bridge = ctx.options.bridge;
  const record: NetworkRecord = existing
    ? { ...existing, Bridge: bridge, Subnet: subnet, Gateway: gateway }
    : {
        Id: randomBytes(32).toString('hex'),
        Name: DEFAULT_NETWORK,
        Created: new Date().toISOString(),
        Bridge: bridge,
        Subnet: subnet,
        Gateway: gateway,
        Internal: false,
        Labels: {},
        Default: true,
        Endpoints: {},
      };
  if (existing && existing.Bridge !== record.Bridge) {
    await removeBridge(existing.Bridge).catch((error: unknown) =>
      // The old bridge only lingers unused; the default network works on the new one.
      ctx.log.debug({ err: error, bridge: existing.Bridge }, 'removing the previous default bridge failed'),
    );
  }
  ctx.networks.set(record.Id, record);
  // Unchanged, it is not written again: an agent must start on a full disk.
  const unchanged =
    existing?.Bridge === record.Bridge && existing.Subnet === subnet && existing.Gateway === gateway;
  if (!unchanged) await ctx.options.store.save(record);
}

/** `docker network create`: a user-defined bridge network on the given or a free subnet. */
export function createNetwork(
  ctx: NetworkContext,
  dns: NetworkDns,
  input: NetworkCreate,
): Promise<{ Id: string }> {
  return ctx.lock.run('networks', async () => {
    if (ctx.all().some((n) => n.Name === input.Name)) {
      throw new StevedoreError('CONFLICT', `network with name ${input.Name} already exists`, {
        network: input.Name,
      });
    }
    let subnet: Ipv4Subnet;
    if (input.Subnet) {
      subnet = (parseCidr(input.Subnet) as { subnet: Ipv4Subnet }).subnet;
      const clash = ctx.all().find((n) => {
        const other = parseCidr(n.Subnet)?.subnet;
        return other !== undefined && subnetsOverlap(other, subnet);
      });
      if (clash) {
        throw new StevedoreError(
          'CONFLICT',
          `invalid pool request: Pool overlaps with other one on this address space (${formatSubnet(subnet)} overlaps ${clash.Subnet} of network ${clash.Name})`,
          { subnet: input.Subnet },
        );
      }
    } else {
      subnet = await ctx.freeSubnet();
    }
    const id = randomBytes(32).toString('hex');
    const record: NetworkRecord = {
      Id: id,
      Name: input.Name,
      Created: new Date().toISOString(),
      Bridge: `sd-${id.slice(0, 12)}`,
      Subnet: formatSubnet(subnet),
      Gateway: input.Gateway ?? formatIpv4(subnet.network + 1),
      Internal: input.Internal,
      Labels: input.Labels,
      Default: false,
      Endpoints: {},
    };
    try {
      await ensureBridge(record.Bridge, ctx.gatewayCidr(record));
      await ctx.iptables?.add(ctx.rulesForNetwork(record));
      await ctx.options.store.save(record);
    } catch (error) {
      // Undone as far as it got; the creation's own error is the one the caller gets.
      const undo = (step: string) => (undoError: unknown) =>
        ctx.log.debug(
          { err: undoError, network: input.Name },
          `undoing a failed network create: ${step} failed`,
        );
      await ctx.iptables?.delete(ctx.rulesForNetwork(record)).catch(undo('removing its rules'));
      await removeBridge(record.Bridge).catch(undo('removing its bridge'));
      throw error;
    }
    ctx.networks.set(id, record);
    await dns.start(record);
    ctx.publish(record, 'create');
    return { Id: id };
  });
}

/** `docker network rm`: refused for pre-defined networks and networks with containers on them. */
export async function removeNetwork(ctx: NetworkContext, dns: NetworkDns, ref: string): Promise<void> {
  if ((MODE_NETWORKS as readonly string[]).includes(ref)) {
    throw new StevedoreError('PERMISSION_DENIED', `${ref} is a pre-defined network and cannot be removed`, {
      network: ref,
    });
  }
  const network = ctx.get(ref);
  await ctx.lock.run('networks', async () => {
    if (network.Default) {
      throw new StevedoreError(
        'PERMISSION_DENIED',
        `${network.Name} is a pre-defined network and cannot be removed`,
        {
          network: network.Id,
        },
      );
    }
    const members = Object.keys(network.Endpoints);
    if (members.length > 0) {
      throw new StevedoreError(
        'CONFLICT',
        `error while removing network: network ${network.Name} id ${network.Id} has active endpoints (${members.length} container${members.length === 1 ? '' : 's'})`,
        { network: network.Id },
      );
    }
    await dns.stop(network.Id);
    await ctx.iptables?.delete(ctx.rulesForNetwork(network));
    await removeBridge(network.Bridge);
    await ctx.options.store.delete(network.Id);
    ctx.networks.delete(network.Id);
    ctx.publish(network, 'destroy');
  });
}

/** `network prune`: user networks no container is on. */
export async function pruneNetworks(ctx: NetworkContext, dns: NetworkDns): Promise<string[]> {
  const unused = ctx.all().filter((n) => !n.Default && Object.keys(n.Endpoints).length === 0);
  const removed: string[] = [];
  for (const network of unused) {
    await removeNetwork(ctx, dns, network.Id).then(
      () => removed.push(network.Name),
      // A container joined it meanwhile (or it is gone already): it is simply not pruned.
      (error: unknown) => ctx.log.debug({ err: error, network: network.Name }, 'network not pruned'),
    );
  }
  return removed;
}
