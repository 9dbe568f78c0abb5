import { createHash, randomBytes } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import {
  type EndpointRequest,
  formatIpv4,
  formatSubnet,
  type Ipv4Subnet,
  type NetworkCreate,
  type NetworkInspect,
  type PublishedPort,
  parseCidr,
  parseIpv4,
  StevedoreError,
  subnetsOverlap,
} from '@stevedore/shared';
import type { EventBus } from '../events/event-bus.js';
import { execFile } from '../util/exec.js';
import { KeyedLock } from '../util/keyed-lock.js';
import type { Logger } from '../util/logger.js';
import { macForAddress, pickAddress } from './ipam.js';
import { Iptables } from './iptables/iptables.js';
import { agentChains, networkRules, type Rule } from './iptables/rules.js';
import { ensureBridge, removeBridge } from './links.js';
import { NetworkDns } from './network-dns.js';
import { networkFilter } from './network-filters.js';
import { type EndpointRecord, type NetworkRecord, prefixOf } from './network-record.js';
import type { NetworkStore } from './network-store.js';
import type { PortRequest } from './port-reservations.js';
import { type Attachment, SandboxManager, type SandboxSetup } from './sandbox-manager.js';
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

/** Network modes `network ls` lists as networks, as Docker does. */
const MODE_NETWORKS = ['host', 'none'] as const;

/** The default bridge network's name, as in Docker. */
export const DEFAULT_NETWORK = 'bridge';

/**
 * Bridge networks: the default `bridge` and user-defined ones, IPAM, container network
 * namespaces with veth interfaces, published ports (iptables DNAT + a held socket per port) and
 * an embedded DNS server per user network.
 */
export class NetworkService {
  private readonly networks = new Map<string, NetworkRecord>();
  private readonly dns: NetworkDns;
  private readonly sandboxes: SandboxManager;
  private readonly iptables: Iptables | null;
  private readonly lock = new KeyedLock();
  readonly warnings: string[] = [];

  constructor(private readonly options: NetworkServiceOptions) {
    // Named after the exec-root: unique per agent on a machine, and unchanged by a data-root move.
    const suffix = createHash('sha256').update(options.execRoot).digest('hex').slice(0, 8);
    this.iptables = options.iptables ? new Iptables(agentChains(suffix)) : null;
    this.sandboxes = new SandboxManager(`${options.execRoot}/netns`, this.iptables, options.log);
    this.dns = new NetworkDns({
      network: (id) => this.networks.get(id),
      isOn: (containerId, networkId) => this.sandboxes.isOn(containerId, networkId),
      upstreams: options.upstreams,
      dns: options.dns,
      log: options.log,
      warn: (message) => this.warnings.push(message),
    });
  }

  get sandboxDir(): string {
    return this.sandboxes.store.dir;
  }

  static async create(options: NetworkServiceOptions): Promise<NetworkService> {
    const service = new NetworkService(options);
    await service.init();
    return service;
  }

  // ---- start-up ------------------------------------------------------------------------------

  /**
   * `stevedore-agent --cleanup`: removes the agent's chains, its bridges and any namespaces left
   * behind, without setting anything up first.
   */
  static async cleanup(options: NetworkServiceOptions): Promise<void> {
    const service = new NetworkService(options);
    await service.load();
    for (const sandbox of service.sandboxes.all()) {
      await service.tearDown(sandbox.ContainerId).catch(() => {});
    }
    await service.iptables?.removeAll();
    for (const network of service.networks.values()) await removeBridge(network.Bridge).catch(() => {});
  }

  private async load(): Promise<void> {
    for (const record of await this.options.store.loadAll()) this.networks.set(record.Id, record);
    await this.sandboxes.load();
  }

  private async init(): Promise<void> {
    await this.load();
    await this.checkKernel();
    await this.reconcileDefaultNetwork();
    for (const network of this.networks.values()) {
      await ensureBridge(network.Bridge, this.gatewayCidr(network));
    }
    if (this.iptables) {
      const rules = [
        ...[...this.networks.values()].flatMap((n) => this.rulesForNetwork(n)),
        ...this.sandboxes.all().flatMap((s) => s.Rules),
      ];
      await this.iptables.reset(rules);
    }
    await this.sandboxes.readoptPorts();
    for (const network of this.networks.values()) await this.dns.start(network);
  }

  private async checkKernel(): Promise<void> {
    const forwarding = '/proc/sys/net/ipv4/ip_forward';
    if ((await readFile(forwarding, 'utf8').catch(() => '0')).trim() !== '1') {
      await writeFile(forwarding, '1').catch((error: Error) => {
        throw new StevedoreError(
          'FAILED_PRECONDITION',
          `IPv4 forwarding is disabled and could not be enabled (${error.message}): bridge networks need net.ipv4.ip_forward=1 (sysctl -w net.ipv4.ip_forward=1)`,
        );
      });
    }
    const bridgeNetfilter = '/proc/sys/net/bridge/bridge-nf-call-iptables';
    const present = () =>
      access(bridgeNetfilter).then(
        () => true,
        () => false,
      );
    if (!(await present())) await execFile('modprobe', ['br_netfilter']);
    if (!(await present())) {
      this.warnings.push(
        'WARNING: bridge-nf-call-iptables is disabled (module br_netfilter is not loaded): containers on one network reach each other, but not their own published ports',
      );
    } else if ((await readFile(bridgeNetfilter, 'utf8')).trim() !== '1') {
      await writeFile(bridgeNetfilter, '1').catch(() =>
        this.warnings.push('WARNING: bridge-nf-call-iptables is disabled'),
      );
    }
  }

  /** The default network follows --bridge/--bip; without --bip it keeps the subnet it had. */
  private async reconcileDefaultNetwork(): Promise<void> {
    const existing = [...this.networks.values()].find((n) => n.Default);
    const wanted = this.options.bip ? parseCidr(this.options.bip) : null;
    let subnet: string;
    let gateway: string;
    if (wanted) {
      subnet = formatSubnet(wanted.subnet);
      gateway = formatIpv4(wanted.address);
    } else if (existing) {
      subnet = existing.Subnet;
      gateway = existing.Gateway;
    } else {
      const free = await this.freeSubnet();
      subnet = formatSubnet(free);
      gateway = formatIpv4(free.network + 1);
    }
    const record: NetworkRecord = existing
      ? { ...existing, Bridge: this.options.bridge, Subnet: subnet, Gateway: gateway }
      : {
          Id: randomBytes(32).toString('hex'),
          Name: DEFAULT_NETWORK,
          Created: new Date().toISOString(),
          Bridge: this.options.bridge,
          Subnet: subnet,
          Gateway: gateway,
          Internal: false,
          Labels: {},
          Default: true,
          Endpoints: {},
        };
    if (existing && existing.Bridge !== record.Bridge) await removeBridge(existing.Bridge).catch(() => {});
    this.networks.set(record.Id, record);
    // Unchanged, it is not written again: an agent must start on a full disk.
    const unchanged =
      existing?.Bridge === record.Bridge && existing.Subnet === subnet && existing.Gateway === gateway;
    if (!unchanged) await this.options.store.save(record);
  }

  private async freeSubnet(): Promise<Ipv4Subnet> {
    const inUse = [
      ...(await hostRoutes()),
      ...[...this.networks.values()].map((n) => parseCidr(n.Subnet)?.subnet).filter((s) => s !== undefined),
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

  // ---- networks ------------------------------------------------------------------------------

  /** Every network, with Docker's fixed `host` and `none` listed beside the bridges. */
  /** `docker network ls`; `filters` as its --filter (see network-filters.ts). */
  list(filters: readonly string[] = []): NetworkInspect[] {
    return [
      ...[...this.networks.values()].map((network) => this.inspectRecord(network)),
      ...MODE_NETWORKS.map((name) => this.modeNetwork(name)),
    ]
      .filter(networkFilter(filters))
      .sort((a, b) => a.Name.localeCompare(b.Name));
  }

  inspect(ref: string): NetworkInspect {
    const mode = MODE_NETWORKS.find((name) => name === ref || this.modeNetwork(name).Id.startsWith(ref));
    if (mode && !this.find(ref)) return this.modeNetwork(mode);
    return this.inspectRecord(this.get(ref));
  }

  /** `host` and `none` as `network ls` shows them: modes, not bridges, with a stable ID per agent. */
  private modeNetwork(name: (typeof MODE_NETWORKS)[number]): NetworkInspect {
    return {
      Name: name,
      Id: createHash('sha256').update(`${this.options.dataRoot}\0${name}`).digest('hex'),
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

  get(ref: string): NetworkRecord {
    const network = this.find(ref);
    if (!network) throw new StevedoreError('NOT_FOUND', `network ${ref} not found`, { network: ref });
    return network;
  }

  find(ref: string): NetworkRecord | undefined {
    const name = ref === 'default' ? DEFAULT_NETWORK : ref;
    const all = [...this.networks.values()];
    const exact = all.find((n) => n.Name === name || n.Id === name);
    if (exact) return exact;
    const byPrefix = all.filter((n) => name.length >= 1 && /^[a-f0-9]+$/.test(name) && n.Id.startsWith(name));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  async createNetwork(input: NetworkCreate): Promise<{ Id: string }> {
    return this.lock.run('networks', async () => {
      if ([...this.networks.values()].some((n) => n.Name === input.Name)) {
        throw new StevedoreError('CONFLICT', `network with name ${input.Name} already exists`, {
          network: input.Name,
        });
      }
      let subnet: Ipv4Subnet;
      if (input.Subnet) {
        subnet = (parseCidr(input.Subnet) as { subnet: Ipv4Subnet }).subnet;
        const clash = [...this.networks.values()].find((n) => {
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
        subnet = await this.freeSubnet();
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
        await ensureBridge(record.Bridge, this.gatewayCidr(record));
        await this.iptables?.add(this.rulesForNetwork(record));
        await this.options.store.save(record);
      } catch (error) {
        await this.iptables?.delete(this.rulesForNetwork(record)).catch(() => {});
        await removeBridge(record.Bridge).catch(() => {});
        throw error;
      }
      this.networks.set(id, record);
      await this.dns.start(record);
      this.publish(record, 'create');
      return { Id: id };
    });
  }

  async removeNetwork(ref: string): Promise<void> {
    if ((MODE_NETWORKS as readonly string[]).includes(ref)) {
      throw new StevedoreError('PERMISSION_DENIED', `${ref} is a pre-defined network and cannot be removed`, {
        network: ref,
      });
    }
    const network = this.get(ref);
    await this.lock.run('networks', async () => {
      if (network.Default) {
        throw new StevedoreError(
          'PERMISSION_DENIED',
          `${network.Name} is a pre-defined network and cannot be removed`,
          { network: network.Id },
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
      await this.dns.stop(network.Id);
      await this.iptables?.delete(this.rulesForNetwork(network));
      await removeBridge(network.Bridge);
      await this.options.store.delete(network.Id);
      this.networks.delete(network.Id);
      this.publish(network, 'destroy');
    });
  }

  /** `network prune`: user networks no container is on. */
  async prune(): Promise<string[]> {
    const unused = [...this.networks.values()].filter(
      (n) => !n.Default && Object.keys(n.Endpoints).length === 0,
    );
    const removed: string[] = [];
    for (const network of unused) {
      await this.removeNetwork(network.Id).then(
        () => removed.push(network.Name),
        () => {},
      );
    }
    return removed;
  }

  private inspectRecord(network: NetworkRecord): NetworkInspect {
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
          .filter(([containerId]) => this.sandboxes.isSetUp(containerId))
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

  private rulesForNetwork(network: NetworkRecord): Rule[] {
    if (!this.iptables) return [];
    return networkRules(this.iptables.chains, {
      bridge: network.Bridge,
      subnet: network.Subnet,
      internal: network.Internal,
    });
  }

  private gatewayCidr(network: NetworkRecord): string {
    return `${network.Gateway}/${prefixOf(network)}`;
  }

  // ---- endpoints -----------------------------------------------------------------------------

  /** Gives the container an address on the network (kept until it leaves the network). */
  async join(
    container: { Id: string; Name: string },
    ref: string,
    request: EndpointRequest = { Aliases: [], IPAMConfig: {} },
  ): Promise<Attachment> {
    const network = this.get(ref);
    if (network.Default && request.Aliases.length > 0) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        'network-scoped aliases are supported only for containers in user defined networks',
        { network: network.Name },
      );
    }
    // Joining always changes the endpoints, so the record comes back.
    const updated = (await this.updateEndpoints(network.Id, (current) => {
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
      };
      return { ...current.Endpoints, [container.Id]: endpoint };
    })) as NetworkRecord;
    this.publish(updated, 'connect', container.Id);
    return { network: updated, endpoint: updated.Endpoints[container.Id] as EndpointRecord };
  }

  /** Releases the container's address on the network. */
  async leave(containerId: string, ref: string): Promise<void> {
    const network = this.get(ref);
    const updated = await this.updateEndpoints(network.Id, (current) => {
      if (!current.Endpoints[containerId]) return null;
      const { [containerId]: _gone, ...rest } = current.Endpoints;
      return rest;
    });
    if (updated) this.publish(updated, 'disconnect', containerId);
  }

  async leaveAll(containerId: string): Promise<void> {
    for (const { network } of this.attachments(containerId)) await this.leave(containerId, network.Id);
  }

  async rename(containerId: string, name: string): Promise<void> {
    for (const { network } of this.attachments(containerId)) {
      await this.updateEndpoints(network.Id, (current) => {
        const endpoint = current.Endpoints[containerId];
        return endpoint
          ? { ...current.Endpoints, [containerId]: { ...endpoint, ContainerName: name } }
          : null;
      });
    }
  }

  /**
   * Changes a network's endpoints under its lock and persists them; `change` sees the record as
   * it is then, and returns null for "nothing to change". Resolves the new record, or null.
   */
  private updateEndpoints(
    networkId: string,
    change: (current: NetworkRecord) => NetworkRecord['Endpoints'] | null,
  ): Promise<NetworkRecord | null> {
    return this.lock.run(networkId, async () => {
      const current = this.get(networkId);
      const endpoints = change(current);
      if (endpoints === null) return null;
      const updated = { ...current, Endpoints: endpoints };
      await this.options.store.save(updated);
      this.networks.set(updated.Id, updated);
      return updated;
    });
  }

  /** The container's networks, `primary` first, then by name. */
  attachments(containerId: string, primary?: string): Attachment[] {
    const primaryNetwork = primary === undefined ? undefined : this.find(primary);
    return [...this.networks.values()]
      .filter((network) => network.Endpoints[containerId])
      .sort((a, b) => {
        if (a.Id === primaryNetwork?.Id) return -1;
        if (b.Id === primaryNetwork?.Id) return 1;
        return a.Name.localeCompare(b.Name);
      })
      .map((network) => ({ network, endpoint: network.Endpoints[containerId] as EndpointRecord }));
  }

  publishedPorts(containerId: string): PublishedPort[] {
    return this.sandboxes.publishedPorts(containerId);
  }

  isSetUp(containerId: string): boolean {
    return this.sandboxes.isSetUp(containerId);
  }

  /** Every container with an address on a network or a namespace of ours. */
  containersWithState(): string[] {
    const ids = new Set(this.sandboxes.all().map((sandbox) => sandbox.ContainerId));
    for (const network of this.networks.values())
      for (const id of Object.keys(network.Endpoints)) ids.add(id);
    return [...ids];
  }

  // ---- sandboxes -----------------------------------------------------------------------------

  /** The started container's namespace: its networks (`primary` first) and published ports. */
  async setUp(
    containerId: string,
    primary: string,
    portRequests: readonly PortRequest[],
    namespace?: string,
  ): Promise<SandboxSetup> {
    const started = performance.now();
    const setup = await this.sandboxes.setUp(
      containerId,
      this.attachments(containerId, primary),
      portRequests,
      namespace,
    );
    this.options.log.debug({ container: containerId, ms: performance.now() - started }, 'network set up');
    return setup;
  }

  async tearDown(containerId: string): Promise<void> {
    const started = performance.now();
    await this.sandboxes.tearDown(containerId);
    this.options.log.debug({ container: containerId, ms: performance.now() - started }, 'network torn down');
  }

  async connectRunning(containerId: string, ref: string): Promise<void> {
    const network = this.get(ref);
    const attachment = this.attachments(containerId).find((a) => a.network.Id === network.Id);
    if (attachment) await this.sandboxes.connect(containerId, attachment);
  }

  disconnectRunning(containerId: string, ref: string): Promise<void> {
    return this.sandboxes.disconnect(containerId, this.get(ref).Id);
  }

  /** resolv.conf for a container whose first network is `network`. */
  resolvConfFor(network: NetworkRecord, hostText: string): string | null {
    return this.dns.resolvConfFor(network, hostText);
  }

  // ---- shutdown and cleanup --------------------------------------------------------------------

  /** Stops serving; namespaces, rules and bridges stay for containers that keep running. */
  async close(): Promise<void> {
    await this.dns.close();
    await this.sandboxes.close();
  }

  private publish(network: NetworkRecord, action: string, containerId?: string): void {
    this.options.events.publish('network', action, network.Id, {
      name: network.Name,
      type: 'bridge',
      ...(containerId ? { container: containerId } : {}),
    });
  }
}

/** The host's nameservers, for names the embedded DNS does not know. */
export async function hostNameservers(resolvConfPath = '/etc/resolv.conf'): Promise<string[]> {
  const text = await readFile(resolvConfPath, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .filter((address): address is string => address !== undefined && parseIpv4(address) !== null);
}
