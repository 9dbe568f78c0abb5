import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import {
  type ContainerCreate,
  type ContainerInspect,
  type ContainerSummary,
  type EndpointRequest,
  type Protocol,
  type PublishedPort,
  StevedoreError,
} from '@stevedore/shared';
import { prefixOf } from '../../network/network-record.js';
import type { NetworkService } from '../../network/network-service.js';
import type { PortRequest } from '../../network/port-reservations.js';
import type { ContainerRecord } from './container-record.js';
import {
  embeddedResolvConf,
  extraHostLines,
  hostsFile,
  resolvConf,
  resolveExtraHosts,
  withDnsSettings,
} from './resolver-files.js';

/** `bridge` and user networks get a namespace of ours; the other modes do not. */
export function usesNetworkService(mode: string): boolean {
  return !(mode === 'none' || mode === 'host' || mode.startsWith('container:'));
}

export interface StartedNetwork {
  /** For the OCI spec: join this namespace file. */
  path: string;
  hosts: string;
  resolvConf: string;
  /** Bridge ports and published ports, made while the container is created: await before it starts. */
  hostSide: Promise<void>;
}

/** The glue between containers and networks: joining at create, namespaces at start, inspect shapes. */
export class ContainerNetworking {
  constructor(private readonly networks: NetworkService) {}

  /** Checks `--network`, `-p` and `--ip` at create time and takes the container's address. */
  async join(record: { Id: string; Name: string }, input: ContainerCreate): Promise<string[]> {
    const mode = input.HostConfig.NetworkMode;
    const publishes =
      Object.keys(input.HostConfig.PortBindings).length > 0 || input.HostConfig.PublishAllPorts;
    const requests = input.NetworkingConfig.EndpointsConfig;
    if (!usesNetworkService(mode)) {
      if (mode === 'host') {
        return publishes ? ['Published ports are discarded when using host network mode'] : [];
      }
      if (publishes) {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          `conflicting options: port publishing and the ${mode === 'none' ? 'none' : 'container'} network mode`,
        );
      }
      if (Object.keys(requests).length > 0) {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          `--ip and --network-alias need a bridge or user-defined network, not --network ${mode}`,
        );
      }
      return [];
    }
    // The network service resolves names, IDs and Docker's "default" alias of bridge.
    const network = this.networks.get(mode);
    const extra = Object.keys(requests).filter((name) => this.networks.find(name)?.Id !== network.Id);
    if (extra.length > 0) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `endpoint settings are given for ${extra.join(', ')}, but the container joins ${network.Name} only: use "network connect" for more networks`,
      );
    }
    const request = requests[mode] ?? requests[network.Name] ?? undefined;
    await this.networks.join(record, network.Id, request);
    return [];
  }

  /** `network connect`: an address now, and an interface at once when the container runs. */
  async connect(record: ContainerRecord, ref: string, request: EndpointRequest): Promise<void> {
    // The network first, as Docker: a missing one is the error even on a --network none container.
    const network = this.networks.get(ref);
    this.refuseFixedMode(record);
    await this.networks.join(record, network.Id, request);
    if (!record.State.Running) return;
    try {
      await this.networks.connectRunning(record.Id, network.Id);
    } catch (error) {
      // The connect error is what the caller gets. An endpoint this cannot undo stays in the
      // container's record, where inspect shows it and `network disconnect` or `rm` removes it.
      await this.networks.leave(record.Id, network.Id).catch(() => undefined);
      throw error;
    }
  }

  async disconnect(record: ContainerRecord, ref: string): Promise<void> {
    this.refuseFixedMode(record);
    const network = this.networks.get(ref);
    if (!network.Endpoints[record.Id]) {
      throw new StevedoreError(
        'NOT_FOUND',
        `container ${record.Name} is not connected to network ${network.Name}`,
        { container: record.Id, network: network.Name },
      );
    }
    if (record.State.Running) await this.networks.disconnectRunning(record.Id, network.Id);
    await this.networks.leave(record.Id, network.Id);
  }

  private refuseFixedMode(record: ContainerRecord): void {
    if (!usesNetworkService(record.HostConfig.NetworkMode)) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `container ${record.Name} uses --network ${record.HostConfig.NetworkMode}: containers sharing the host's or another container's network namespace, or with none, cannot be connected to networks`,
        { container: record.Id },
      );
    }
  }

  leaveAll(id: string): Promise<void> {
    return this.networks.leaveAll(id);
  }

  rename(id: string, name: string): Promise<void> {
    return this.networks.rename(id, name);
  }

  /**
   * Before `runc create` (or right after it, into `namespace`, the container's own): the
   * namespace with its interfaces and published ports, and the /etc files that go with it.
   */
  async setUp(record: ContainerRecord, namespace?: string): Promise<StartedNetwork> {
    const host = record.HostConfig;
    const setup = await this.networks.setUp(
      record.Id,
      host.NetworkMode,
      portRequests(record),
      namespace,
      host.Dns,
    );
    const primary = setup.primary;
    const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    const names = [record.Config.Hostname || record.Id.slice(0, 12)];
    // A user network has its resolver at 127.0.0.11; the default bridge uses the host's servers.
    const userNetwork = primary && !primary.network.Default;
    const bridgeResolv = () =>
      withDnsSettings(
        (primary && this.networks.resolvConfFor(primary.network, hostResolv)) ??
          resolvConf(hostResolv, false),
        host,
      );
    return {
      path: setup.path,
      hostSide: setup.hostSide,
      hosts: hostsFile(
        primary ? { ip: primary.endpoint.IPAddress, names } : null,
        resolveExtraHosts(host.ExtraHosts, primary?.network.Gateway),
      ),
      resolvConf: userNetwork ? embeddedResolvConf(hostResolv, host) : bridgeResolv(),
    };
  }

  /** Whether a network namespace made for the container is still there. */
  isSetUp(id: string): boolean {
    return this.networks.isSetUp(id);
  }

  tearDown(id: string): Promise<void> {
    return this.networks.tearDown(id);
  }

  /** Containers holding an address or a namespace (checked against the records at start-up). */
  containersWithState(): string[] {
    return this.networks.containersWithState();
  }

  /** The host's /etc files for `--network host`, and loopback-only ones for `none`. */
  async fixedEtcFiles(
    record: ContainerRecord,
  ): Promise<{ hosts: string; resolvConf: string; hostname: string }> {
    const host = record.HostConfig.NetworkMode === 'host';
    const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    const extraHosts = resolveExtraHosts(record.HostConfig.ExtraHosts, this.hostGateway(host));
    const hostHosts = host ? await readFile('/etc/hosts', 'utf8').catch(() => null) : null;
    return {
      hostname: host ? osHostname() : record.Config.Hostname,
      hosts:
        hostHosts === null
          ? hostsFile(null, extraHosts)
          : [hostHosts.replace(/\n?$/, '\n'), ...extraHostLines(extraHosts).map((line) => `${line}\n`)].join(
              '',
            ),
      resolvConf: withDnsSettings(resolvConf(hostResolv, host), record.HostConfig),
    };
  }

  /** `host-gateway` outside a bridge of ours: the default bridge's address, or loopback on the host's network. */
  private hostGateway(hostNetwork: boolean): string | undefined {
    return this.networks.find('bridge')?.Gateway || (hostNetwork ? '127.0.0.1' : undefined);
  }

  /** `docker port`: what the running container's ports are published on. */
  publishedPorts(id: string): PublishedPort[] {
    return this.networks.publishedPorts(id);
  }

  summaryPorts(record: ContainerRecord): ContainerSummary['Ports'] {
    const published = record.State.Running ? this.publishedPorts(record.Id) : [];
    const exposed = Object.keys(record.Config.ExposedPorts)
      .map(parsePortKey)
      .filter((port) => !published.some((p) => p.ContainerPort === port.port && p.Protocol === port.protocol))
      .map((port) => ({ PrivatePort: port.port, Type: port.protocol }));
    return [
      ...published.map((p) => ({
        IP: p.HostIp,
        PrivatePort: p.ContainerPort,
        PublicPort: p.HostPort,
        Type: p.Protocol,
      })),
      ...exposed,
    ];
  }

  inspectSettings(record: ContainerRecord): ContainerInspect['NetworkSettings'] {
    const mode = record.HostConfig.NetworkMode;
    const running = record.State.Running;
    const attachments = usesNetworkService(mode) ? this.networks.attachments(record.Id, mode) : [];
    const networks = Object.fromEntries(
      attachments.map(({ network, endpoint }) => [
        network.Name,
        {
          NetworkID: network.Id,
          EndpointID: running ? endpoint.EndpointID : '',
          IPAddress: running ? endpoint.IPAddress : '',
          IPPrefixLen: running ? prefixOf(network) : 0,
          Gateway: running ? network.Gateway : '',
          MacAddress: running ? endpoint.MacAddress : '',
          Aliases: endpoint.Aliases,
          IPAMConfig: endpoint.RequestedAddress ? { IPv4Address: endpoint.RequestedAddress } : null,
        },
      ]),
    );
    if (!usesNetworkService(mode)) {
      networks[mode] = {
        NetworkID: '',
        EndpointID: '',
        IPAddress: '',
        IPPrefixLen: 0,
        Gateway: '',
        MacAddress: '',
        Aliases: [],
        IPAMConfig: null,
      };
    }
    const ports: ContainerInspect['NetworkSettings']['Ports'] = {};
    for (const key of Object.keys(record.Config.ExposedPorts)) ports[key] = null;
    for (const port of running ? this.publishedPorts(record.Id) : []) {
      const key = `${port.ContainerPort}/${port.Protocol}`;
      ports[key] = [...(ports[key] ?? []), { HostIp: port.HostIp, HostPort: String(port.HostPort) }];
    }
    // Docker's top-level fields describe the default bridge network.
    const bridge = running ? attachments.find((a) => a.network.Default) : undefined;
    return {
      Bridge: '',
      SandboxID: running ? createHash('sha256').update(`sandbox:${record.Id}`).digest('hex') : '',
      SandboxKey: running && mode !== 'host' ? this.sandboxKey(record) : '',
      EndpointID: running ? (bridge?.endpoint.EndpointID ?? '') : '',
      Ports: ports,
      IPAddress: bridge?.endpoint.IPAddress ?? '',
      IPPrefixLen: bridge ? prefixOf(bridge.network) : 0,
      Gateway: bridge?.network.Gateway ?? '',
      MacAddress: bridge?.endpoint.MacAddress ?? '',
      Networks: networks,
    };
  }

  private sandboxKey(record: ContainerRecord): string {
    return this.networks.isSetUp(record.Id)
      ? `${this.networks.sandboxDir}/${record.Id}`
      : `/proc/${record.State.Pid}/ns/net`;
  }
}

function parsePortKey(key: string): { port: number; protocol: Protocol } {
  const [port = '0', protocol = 'tcp'] = key.split('/');
  return { port: Number(port), protocol: protocol === 'udp' ? 'udp' : 'tcp' };
}

/** `-p` bindings, plus every exposed port with `-P`. */
export function portRequests(record: ContainerRecord): PortRequest[] {
  const bindings = { ...record.HostConfig.PortBindings };
  if (record.HostConfig.PublishAllPorts) {
    for (const key of Object.keys(record.Config.ExposedPorts)) {
      if (!bindings[key]) bindings[key] = [{ HostIp: '', HostPort: '' }];
    }
  }
  return Object.entries(bindings).flatMap(([key, list]) => {
    const { port, protocol } = parsePortKey(key);
    return list.map((binding) => ({
      containerPort: port,
      protocol,
      hostIp: binding.HostIp,
      hostPort: binding.HostPort,
    }));
  });
}
