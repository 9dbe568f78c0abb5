import { mkdir } from 'node:fs/promises';
import { type PublishedPort, StevedoreError } from '@stevedore/shared';
import type { Logger } from '../util/logger.js';
import { redirectResolver } from './dns/resolver-redirect.js';
import type { Iptables } from './iptables/iptables.js';
import { portRules } from './iptables/rules.js';
import {
  addInterface,
  attachToBridges,
  createSandbox,
  type InterfaceSpec,
  insideCommands,
  removeInterface,
  removeSandbox,
} from './links.js';
import { type EndpointRecord, type NetworkRecord, prefixOf } from './network-record.js';
import { type PortRequest, PortReservations } from './port-reservations.js';
import { type Sandbox, SandboxStore } from './sandbox-store.js';

/** A container's endpoint on one network. */
export interface Attachment {
  network: NetworkRecord;
  endpoint: EndpointRecord;
}

/** What a started container's network looks like. */
export interface SandboxSetup {
  path: string;
  /** The first network: its address goes in /etc/hosts, its DNS (if any) in resolv.conf. */
  primary: Attachment | null;
  /**
   * The host side: the interfaces' peers on their bridges and the published ports. The container
   * can be created meanwhile (it needs only the namespace); it must settle before the container
   * starts, and a failure leaves the undoing to `tearDown`.
   */
  hostSide: Promise<void>;
}

/**
 * Running containers' network namespaces: made at start with one veth per network and the
 * published ports (a held socket and DNAT rules each), recorded under the exec-root so that
 * everything can be undone exactly, also by the next agent after a crash.
 */
export class SandboxManager {
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly ports = new PortReservations();
  readonly store: SandboxStore;

  constructor(
    dir: string,
    private readonly iptables: Iptables | null,
    private readonly log: Logger,
  ) {
    this.store = new SandboxStore(dir);
  }

  /** Reads the records of namespaces an earlier agent left (containers that kept running). */
  async load(): Promise<void> {
    await mkdir(this.store.dir, { recursive: true, mode: 0o700 });
    const skipped = (file: string, reason: string) =>
      this.log.warn(
        { file, reason },
        'a network namespace record cannot be read; its namespace is left alone',
      );
    for (const sandbox of await this.store.loadAll(skipped)) this.sandboxes.set(sandbox.ContainerId, sandbox);
  }

  all(): Sandbox[] {
    return [...this.sandboxes.values()];
  }

  /** Holds the published ports of adopted containers again. */
  async readoptPorts(): Promise<void> {
    for (const sandbox of this.sandboxes.values()) {
      await this.ports
        .readopt(sandbox.ContainerId, sandbox.Ports)
        .catch((error) =>
          this.log.warn(
            { err: error, container: sandbox.ContainerId },
            'could not hold published ports again',
          ),
        );
    }
  }

  isSetUp(containerId: string): boolean {
    return this.sandboxes.has(containerId);
  }

  isOn(containerId: string, networkId: string): boolean {
    return this.sandboxes.get(containerId)?.Interfaces.some((i) => i.NetworkId === networkId) ?? false;
  }

  publishedPorts(containerId: string): PublishedPort[] {
    return this.sandboxes.get(containerId)?.Ports ?? [];
  }

  /** The container's `--dns` servers (empty: none given). */
  dnsServersOf(containerId: string): string[] {
    return this.sandboxes.get(containerId)?.Dns ?? [];
  }

  /**
   * A network namespace for a container about to start (or `namespace`, its own, adopted): one
   * interface per attachment, then the published ports. Undone completely when making the
   * namespace fails; when `hostSide` fails, the caller undoes it with `tearDown`. On a user
   * network first, 127.0.0.11 is its resolver, which forwards to `dns` when given.
   */
  async setUp(
    containerId: string,
    attachments: readonly Attachment[],
    portRequests: readonly PortRequest[],
    namespace?: string,
    dns: readonly string[] = [],
  ): Promise<SandboxSetup> {
    const path = this.store.pathFor(containerId);
    const sandbox: Sandbox = {
      ContainerId: containerId,
      Path: path,
      Interfaces: [],
      Ports: [],
      Rules: [],
      ...(dns.length > 0 ? { Dns: [...dns] } : {}),
    };
    this.sandboxes.set(containerId, sandbox);
    try {
      const specs = attachments.map((attachment) => this.nextInterface(sandbox, attachment));
      // Recorded first, so a crash halfway still leaves a record of what to remove.
      await this.store.save(sandbox);
      await createSandbox(path, namespace, specs.flatMap(insideCommands));
      const first = attachments[0];
      // The bridge ports and the published ports are independent: both at once, and both settled
      // before any failure is reported (and undone).
      const hostSide = Promise.allSettled([
        attachToBridges(specs),
        first && portRequests.length > 0 ? this.publish(sandbox, first, portRequests) : undefined,
        first && !first.network.Default ? this.redirectResolver(containerId, path, first) : undefined,
      ]).then((steps) => {
        const failed = steps.find((step) => step.status === 'rejected');
        if (failed) throw failed.reason;
      });
      hostSide.catch(() => {}); // awaited by the caller, possibly after other steps
      return { path, primary: first ?? null, hostSide };
    } catch (error) {
      await this.tearDown(containerId).catch((e) =>
        this.log.warn({ err: e, container: containerId }, 'undoing a failed network set-up failed'),
      );
      throw error;
    }
  }

  /** Removes everything `setUp` made. Safe to call twice and after an agent restart. */
  async tearDown(containerId: string): Promise<void> {
    const sandbox = this.sandboxes.get(containerId);
    if (!sandbox) return;
    const rules =
      sandbox.Rules.length > 0
        ? this.iptables
            ?.delete(sandbox.Rules)
            .catch((error) => this.log.warn({ err: error, container: containerId }, 'removing rules failed'))
        : undefined;
    // Independent steps, done together: this is on the path of every container stop.
    await Promise.all([
      this.ports.release(containerId),
      ...sandbox.Interfaces.map((iface) =>
        removeInterface(iface.HostName).catch((error: unknown) =>
          // Usually gone already: a veth pair goes with the namespace that holds its other end.
          this.log.debug(
            { err: error, container: containerId, link: iface.HostName },
            'removing a veth failed',
          ),
        ),
      ),
      removeSandbox(sandbox.Path),
      rules,
    ]);
    await this.store.delete(containerId);
    this.sandboxes.delete(containerId);
  }

  /** `network connect` while the container runs: the interface appears at once. */
  async connect(containerId: string, attachment: Attachment): Promise<void> {
    const sandbox = this.sandboxes.get(containerId);
    if (!sandbox) return;
    const spec = this.nextInterface(sandbox, attachment);
    await this.store.save(sandbox);
    await addInterface(sandbox.Path, spec);
  }

  async disconnect(containerId: string, networkId: string): Promise<void> {
    const sandbox = this.sandboxes.get(containerId);
    const iface = sandbox?.Interfaces.find((i) => i.NetworkId === networkId);
    if (!sandbox || !iface) return;
    await removeInterface(iface.HostName);
    sandbox.Interfaces = sandbox.Interfaces.filter((i) => i !== iface);
    await this.store.save(sandbox);
  }

  /** Lets go of the held ports; namespaces and rules stay for containers that keep running. */
  close(): Promise<void> {
    return this.ports.releaseAll();
  }

  private async publish(
    sandbox: Sandbox,
    first: Attachment,
    portRequests: readonly PortRequest[],
  ): Promise<void> {
    if (!this.iptables) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        'publishing ports needs iptables: this agent runs with --iptables=false',
        { container: sandbox.ContainerId },
      );
    }
    sandbox.Ports = await this.ports.reserve(sandbox.ContainerId, portRequests);
    sandbox.Rules = portRules(this.iptables.chains, first.endpoint.IPAddress, sandbox.Ports);
    await this.store.save(sandbox);
    await this.iptables.add(sandbox.Rules);
  }

  /**
   * 127.0.0.11 in the namespace. As in Docker, a container whose resolver cannot be set up still
   * starts (it can reach the resolver on the gateway address): the failure is logged.
   */
  private async redirectResolver(containerId: string, path: string, first: Attachment): Promise<void> {
    try {
      await redirectResolver(path, first.network.Gateway, first.endpoint.IPAddress);
    } catch (error) {
      this.log.warn({ err: error, container: containerId }, 'no resolver at 127.0.0.11 for the container');
    }
  }

  /** Names the next free ethN for the attachment and records it in the sandbox. */
  private nextInterface(sandbox: Sandbox, { network, endpoint }: Attachment): InterfaceSpec {
    const used = new Set(sandbox.Interfaces.map((i) => i.Name));
    let index = 0;
    while (used.has(`eth${index}`)) index++;
    const hostName = `sd${sandbox.ContainerId.slice(0, 8)}${index}`;
    sandbox.Interfaces.push({ NetworkId: network.Id, Name: `eth${index}`, HostName: hostName });
    return {
      hostNetns: `/proc/${process.pid}/ns/net`,
      hostName,
      name: `eth${index}`,
      mac: endpoint.MacAddress,
      addressCidr: `${endpoint.IPAddress}/${prefixOf(network)}`,
      defaultGateway: index === 0 && !network.Internal ? network.Gateway : null,
      bridge: network.Bridge,
    };
  }
}
