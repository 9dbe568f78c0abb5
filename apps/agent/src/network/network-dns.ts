import { readFile } from 'node:fs/promises';
import { parseIpv4 } from '@stevedore/shared';
import type { Logger } from '../util/logger.js';
import { EmbeddedDns } from './dns/embedded-dns.js';
import type { NetworkRecord } from './network-record.js';

export interface NetworkDnsOptions {
  /** The network as it is now (endpoints change while the server runs). */
  network(id: string): NetworkRecord | undefined;
  /** Every network, to find the others an asking container is on. */
  networks(): NetworkRecord[];
  /** Whether the container is up on the network: only running members resolve. */
  isOn(containerId: string, networkId: string): boolean;
  upstreams(): string[];
  /** A container's own `--dns` servers (empty: none given), which its network's resolver forwards to. */
  dnsServersOf(containerId: string): string[];
  /** `--dns`, for containers on the default bridge. */
  dns: string[];
  log: Logger;
  warn(message: string): void;
}

/** Name resolution for containers: a DNS server per user network, and the resolv.conf that points at it. */
export class NetworkDns {
  private readonly servers = new Map<string, EmbeddedDns>();

  constructor(private readonly options: NetworkDnsOptions) {}

  /** Serves the network's members on its gateway address (user networks only). */
  async start(network: NetworkRecord): Promise<void> {
    if (network.Default) return;
    const server = new EmbeddedDns({
      address: network.Gateway,
      lookup: (name, client) => this.lookup(network.Id, name, client),
      upstreams: (client) => (network.Internal ? [] : this.upstreamsFor(network.Id, client)),
      log: this.options.log.child({ dns: network.Name }),
    });
    try {
      await server.start();
      this.servers.set(network.Id, server);
    } catch (error) {
      const message = `WARNING: no DNS on network ${network.Name}: ${(error as Error).message}`;
      this.options.warn(message);
      this.options.log.warn({ err: error }, message);
    }
  }

  async stop(networkId: string): Promise<void> {
    await this.servers.get(networkId)?.stop();
    this.servers.delete(networkId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.stop(id)));
  }

  /** The asking container's `--dns` servers if it has any (Docker's rule), else the agent's upstreams. */
  private upstreamsFor(networkId: string, client: string): string[] {
    const endpoints = Object.entries(this.options.network(networkId)?.Endpoints ?? {});
    const asking = endpoints.find(([, endpoint]) => endpoint.IPAddress === client)?.[0];
    const own = asking ? this.options.dnsServersOf(asking) : [];
    return own.length > 0 ? own : this.options.upstreams();
  }

  /**
   * Running members by container name, alias or short ID: of this network, else (as Docker) of the
   * other networks the asking container (`client`, its address here) is on.
   */
  private lookup(networkId: string, name: string, client: string): string[] {
    const network = this.options.network(networkId);
    if (!network) return [];
    const own = this.members(network, name);
    if (own.length > 0) return own;
    const asking = Object.entries(network.Endpoints).find(
      ([, endpoint]) => endpoint.IPAddress === client,
    )?.[0];
    if (!asking) return [];
    return this.options
      .networks()
      .filter((other) => other.Id !== networkId && !other.Default && other.Endpoints[asking])
      .flatMap((other) => this.members(other, name));
  }

  private members(network: NetworkRecord, name: string): string[] {
    const networkId = network.Id;
    const wanted = name.replace(/\.$/, '').toLowerCase();
    return Object.entries(network.Endpoints)
      .filter(([containerId, endpoint]) => {
        if (!this.options.isOn(containerId, networkId)) return false;
        const names = [endpoint.ContainerName, ...endpoint.Aliases, containerId.slice(0, 12)];
        return names.some((n) => n.toLowerCase() === wanted);
      })
      .map(([, endpoint]) => endpoint.IPAddress);
  }

  /**
   * resolv.conf for a container whose first network is the default bridge, which has no DNS of
   * its own: the agent's `--dns` servers if given; null: the host's file, filtered.
   */
  resolvConfFor(network: NetworkRecord, hostText: string): string | null {
    const servers = network.Default ? this.options.dns : [];
    if (servers.length === 0) return null;
    const kept = hostText.split('\n').filter((line) => /^\s*(search|options)\s/.test(line));
    return `${servers.map((server) => `nameserver ${server}\n`).join('')}${kept.join('\n')}${kept.length > 0 ? '\n' : ''}`;
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
