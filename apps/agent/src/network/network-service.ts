import type { EndpointRequest, NetworkCreate, NetworkInspect, PublishedPort } from '@stevedore/shared';
import { createNetwork, pruneNetworks, reconcileDefaultNetwork, removeNetwork } from './bridge-networks.js';
import { attachments, joinNetwork, leaveNetwork, renameEndpoints } from './endpoints.js';
import { prepareKernel } from './kernel-settings.js';
import { ensureBridge, removeBridge } from './links.js';
import { NetworkContext, type NetworkServiceOptions } from './network-context.js';
import { NetworkDns } from './network-dns.js';
import type { NetworkRecord } from './network-record.js';
import { inspectNetwork, listNetworks } from './network-views.js';
import type { PortRequest } from './port-reservations.js';
import { type Attachment, SandboxManager, type SandboxSetup } from './sandbox-manager.js';

/**
 * Bridge networks, as the rest of the agent sees them: the default `bridge` and user-defined
 * ones (bridge-networks.ts), containers' endpoints on them (endpoints.ts), running containers'
 * namespaces with veth interfaces and published ports (sandbox-manager.ts) and an embedded DNS
 * server per user network (network-dns.ts). This class builds them at start and hands calls on.
 */
export class NetworkService {
  private readonly ctx: NetworkContext;
  private readonly dns: NetworkDns;
  private readonly sandboxes: SandboxManager;

  constructor(options: NetworkServiceOptions) {
    this.ctx = new NetworkContext(options);
    this.sandboxes = new SandboxManager(`${options.execRoot}/netns`, this.ctx.iptables, options.log);
    this.dns = new NetworkDns({
      network: (id) => this.ctx.networks.get(id),
      networks: () => this.ctx.all(),
      isOn: (containerId, networkId) => this.sandboxes.isOn(containerId, networkId),
      upstreams: options.upstreams,
      dnsServersOf: (containerId) => this.sandboxes.dnsServersOf(containerId),
      dns: options.dns,
      log: options.log,
      warn: (message) => this.ctx.warnings.push(message),
    });
  }

  /** What start-up found wrong but could live with (shown by `stevedore info`). */
  get warnings(): string[] {
    return this.ctx.warnings;
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
    // Best effort, and each failure is logged: what stays behind is what --cleanup could not remove.
    const failed = (what: string, id: string) => (error: unknown) =>
      options.log.debug({ err: error, id }, `cleanup: removing ${what} failed`);
    for (const sandbox of service.sandboxes.all()) {
      await service.tearDown(sandbox.ContainerId).catch(failed('a namespace', sandbox.ContainerId));
    }
    await service.ctx.iptables?.removeAll();
    for (const network of service.ctx.all())
      await removeBridge(network.Bridge).catch(failed('a bridge', network.Id));
  }

  private async load(): Promise<void> {
    for (const record of await this.ctx.options.store.loadAll()) this.ctx.networks.set(record.Id, record);
    await this.sandboxes.load();
  }

  private async init(): Promise<void> {
    await this.load();
    await prepareKernel(this.ctx.warnings);
    await reconcileDefaultNetwork(this.ctx);
    for (const network of this.ctx.all()) await ensureBridge(network.Bridge, this.ctx.gatewayCidr(network));
    if (this.ctx.iptables) {
      const rules = [
        ...this.ctx.all().flatMap((n) => this.ctx.rulesForNetwork(n)),
        ...this.sandboxes.all().flatMap((s) => s.Rules),
      ];
      await this.ctx.iptables.reset(rules);
    }
    await this.sandboxes.readoptPorts();
    for (const network of this.ctx.all()) await this.dns.start(network);
  }

  // ---- networks (bridge-networks.ts, network-views.ts) ----------------------------------------

  /** `docker network ls`; `filters` as its --filter (see network-filters.ts). */
  list(filters: readonly string[] = []): NetworkInspect[] {
    return listNetworks(this.ctx, (id) => this.sandboxes.isSetUp(id), filters);
  }

  inspect(ref: string): NetworkInspect {
    return inspectNetwork(this.ctx, (id) => this.sandboxes.isSetUp(id), ref);
  }

  get(ref: string): NetworkRecord {
    return this.ctx.get(ref);
  }

  find(ref: string): NetworkRecord | undefined {
    return this.ctx.find(ref);
  }

  createNetwork(input: NetworkCreate): Promise<{ Id: string }> {
    return createNetwork(this.ctx, this.dns, input);
  }

  removeNetwork(ref: string): Promise<void> {
    return removeNetwork(this.ctx, this.dns, ref);
  }

  /** `network prune`: user networks no container is on. */
  prune(): Promise<string[]> {
    return pruneNetworks(this.ctx, this.dns);
  }

  // ---- endpoints (endpoints.ts) --------------------------------------------------------------

  /** Gives the container an address on the network (kept until it leaves the network). */
  join(container: { Id: string; Name: string }, ref: string, request?: EndpointRequest): Promise<Attachment> {
    return joinNetwork(this.ctx, container, ref, request);
  }

  /** Releases the container's address on the network. */
  leave(containerId: string, ref: string): Promise<void> {
    return leaveNetwork(this.ctx, containerId, ref);
  }

  async leaveAll(containerId: string): Promise<void> {
    for (const { network } of this.attachments(containerId)) await this.leave(containerId, network.Id);
  }

  rename(containerId: string, name: string): Promise<void> {
    return renameEndpoints(this.ctx, containerId, name);
  }

  /** The container's networks, `primary` first, then by name. */
  attachments(containerId: string, primary?: string): Attachment[] {
    return attachments(this.ctx, containerId, primary);
  }

  /** Every container with an address on a network or a namespace of ours. */
  containersWithState(): string[] {
    const ids = new Set(this.sandboxes.all().map((sandbox) => sandbox.ContainerId));
    for (const network of this.ctx.all()) for (const id of Object.keys(network.Endpoints)) ids.add(id);
    return [...ids];
  }

  // ---- sandboxes: namespaces and published ports (sandbox-manager.ts) -------------------------

  /**
   * The started container's namespace: its networks (`primary` first) and published ports; `dns`
   * (`--dns`) is where a user network's resolver forwards the container's other queries.
   */
  async setUp(
    containerId: string,
    primary: string,
    portRequests: readonly PortRequest[],
    namespace?: string,
    dns: readonly string[] = [],
  ): Promise<SandboxSetup> {
    const started = performance.now();
    const setup = await this.sandboxes.setUp(
      containerId,
      this.attachments(containerId, primary),
      portRequests,
      namespace,
      dns,
    );
    this.ctx.log.debug({ container: containerId, ms: performance.now() - started }, 'network set up');
    return setup;
  }

  async tearDown(containerId: string): Promise<void> {
    const started = performance.now();
    await this.sandboxes.tearDown(containerId);
    this.ctx.log.debug({ container: containerId, ms: performance.now() - started }, 'network torn down');
  }

  async connectRunning(containerId: string, ref: string): Promise<void> {
    const network = this.get(ref);
    const attachment = this.attachments(containerId).find((a) => a.network.Id === network.Id);
    if (attachment) await this.sandboxes.connect(containerId, attachment);
  }

  disconnectRunning(containerId: string, ref: string): Promise<void> {
    return this.sandboxes.disconnect(containerId, this.get(ref).Id);
  }

  publishedPorts(containerId: string): PublishedPort[] {
    return this.sandboxes.publishedPorts(containerId);
  }

  isSetUp(containerId: string): boolean {
    return this.sandboxes.isSetUp(containerId);
  }

  /** resolv.conf for a container whose first network is `network`. */
  resolvConfFor(network: NetworkRecord, hostText: string): string | null {
    return this.dns.resolvConfFor(network, hostText);
  }

  // ---- shutdown ------------------------------------------------------------------------------

  /** Stops serving; namespaces, rules and bridges stay for containers that keep running. */
  async close(): Promise<void> {
    await this.dns.close();
    await this.sandboxes.close();
  }
}
