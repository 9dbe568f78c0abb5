import { createHash } from 'node:crypto';
import { type Ipv4Subnet, parseCidr, StevedoreError } from '@stevedore/shared';
import type { EventBus } from '../events/event-bus.js';
import { KeyedLock } from '../util/keyed-lock.js';
import type { Logger } from '../util/logger.js';
import { Iptables } from './iptables/iptables.js';
import { agentChains, networkRules, type Rule } from './iptables/rules.js';
import { type NetworkRecord, prefixOf } from './network-record.js';
import type { NetworkStore } from './network-store.js';
import { DEFAULT_ADDRESS_POOLS, hostRoutes, pickFreeSubnet } from './subnet-picker.js';

export interface NetworkServiceOptions {
  store: NetworkStore;
  execRoot: string;
  dataRoot: string;
  bridge: string;
  bip: string | null;
  defaultAddressPools: { base: string; size: number }[];
  iptables: boolean;
  events: EventBus;
  log: Logger;
  /** `--dns`: the nameservers of containers on the default bridge (empty: the host's). */
  dns: string[];
  /** Where names the embedded DNS does not know are sent ("ip" or "ip:port"). */
  upstreams(): string[];
}

/** The default bridge network's name, as in Docker. */
export const DEFAULT_NETWORK = 'bridge';

/** Network modes `network ls` lists as networks, as Docker does. */
export const MODE_NETWORKS = ['host', 'none'] as const;

/**
 * What the network modules share: the bridge networks in memory (as on disk), the lock that
 * orders changes to them, the agent's iptables chains and the events that tell of changes.
 */
export class NetworkContext {
  readonly networks = new Map<string, NetworkRecord>();
  readonly lock = new KeyedLock();
  readonly iptables: Iptables | null;
  readonly warnings: string[] = [];

  constructor(readonly options: NetworkServiceOptions) {
    // Named after the exec-root: unique per agent on a machine, and unchanged by a data-root move.
    const suffix = createHash('sha256').update(options.execRoot).digest('hex').slice(0, 8);
    this.iptables = options.iptables ? new Iptables(agentChains(suffix)) : null;
  }

  get log(): Logger {
    return this.options.log;
  }

  all(): NetworkRecord[] {
    return [...this.networks.values()];
  }

  get(ref: string): NetworkRecord {
    const network = this.find(ref);
    if (!network) throw new StevedoreError('NOT_FOUND', `network ${ref} not found`, { network: ref });
    return network;
  }

  find(ref: string): NetworkRecord | undefined {
    const name = ref === 'default' ? DEFAULT_NETWORK : ref;
    const all = this.all();
    const exact = all.find((n) => n.Name === name || n.Id === name);
    if (exact) return exact;
    const byPrefix = all.filter((n) => name.length >= 1 && /^[a-f0-9]+$/.test(name) && n.Id.startsWith(name));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  rulesForNetwork(network: NetworkRecord): Rule[] {
    if (!this.iptables) return [];
    return networkRules(this.iptables.chains, {
      bridge: network.Bridge,
      subnet: network.Subnet,
      internal: network.Internal,
    });
  }

  gatewayCidr(network: NetworkRecord): string {
    return `${network.Gateway}/${prefixOf(network)}`;
  }

  /** A subnet from the address pools that no network and no host route uses. */
  async freeSubnet(): Promise<Ipv4Subnet> {
    const inUse = [
      ...(await hostRoutes()),
      ...this.all()
        .map((n) => parseCidr(n.Subnet)?.subnet)
        .filter((s) => s !== undefined),
    ];
    const pools =
      this.options.defaultAddressPools.length > 0 ? this.options.defaultAddressPools : DEFAULT_ADDRESS_POOLS;
    const free = pickFreeSubnet(pools, inUse);
    if (!free) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        'all predefined address pools have been fully subnetted: remove unused networks or add default-address-pools',
      );
    }
    return free;
  }

  publish(network: NetworkRecord, action: string, containerId?: string): void {
    this.options.events.publish('network', action, network.Id, {
      name: network.Name,
      type: 'bridge',
      ...(containerId ? { container: containerId } : {}),
    });
  }
}
