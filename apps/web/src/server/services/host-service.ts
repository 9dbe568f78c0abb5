import {
  type CreateHostInput,
  type FleetHost,
  type HostStatus,
  type HostSummary,
  HostTransportSchema,
  type ImageSummary,
  type SessionUser,
  StevedoreError,
  type SystemInfo,
} from '@stevedore/shared';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import {
  createHost,
  deleteHost,
  findHostByName,
  getHost,
  listHosts,
  updateHost,
} from '../db/repositories/hosts';
import type { AgentHub, AgentTarget } from '../hub/agent-hub';
import { probeAgent } from '../hub/probe-agent';
import { audited } from './audited';
import { fromStored, targetFromInput, toStored } from './host-targets';

const INFO_CACHE_MS = 5_000;

type HostRow = Awaited<ReturnType<typeof listHosts>>[number];

export class HostService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly secrets: SecretBox,
  ) {}

  /** Connects the hub to every registered host (at server start). */
  async connectAll(): Promise<void> {
    for (const host of await listHosts(this.db)) this.hub.add(this.targetOf(host));
  }

  /** Registers (or re-points) the host `local` at this machine's agent socket. */
  async ensureLocal(socketPath: string): Promise<void> {
    const address = `unix://${socketPath}`;
    const existing = await findHostByName(this.db, 'local');
    if (existing?.address === address) return;
    const what = {
      action: existing ? 'host.update' : 'host.create',
      target: 'local',
      params: { transport: 'unix', address },
    };
    await audited(this.db, null, what, () =>
      existing
        ? updateHost(this.db, existing.id, { address })
        : createHost(this.db, { name: 'local', transport: 'unix', address }),
    );
  }

  /** "Test connection" for the add-host form: reaches the agent once and returns its info. */
  async test(input: CreateHostInput): Promise<SystemInfo> {
    return probeAgent(targetFromInput(input));
  }

  /** Adds a host after a successful connection test; its token is stored encrypted. */
  async create(actor: SessionUser, input: CreateHostInput): Promise<HostSummary> {
    const target = targetFromInput(input);
    return audited(
      this.db,
      actor,
      {
        action: 'host.create',
        target: input.name,
        params: { transport: input.transport, address: target.address },
      },
      async () => {
        if (await findHostByName(this.db, input.name)) {
          throw new StevedoreError('ALREADY_EXISTS', `a host named "${input.name}" already exists`, {
            name: input.name,
          });
        }
        await probeAgent(target); // with SSH and no pinned key, this pins the key it sees
        const stored = toStored(target);
        const host = await createHost(this.db, {
          name: input.name,
          transport: input.transport,
          address: stored.address,
          credentialCiphertext: stored.credential ? this.secrets.encrypt(stored.credential) : null,
          caCert: stored.caCert,
          sshHostKey: stored.sshHostKey,
        });
        this.hub.add(this.targetOf(host));
        return this.summarize(host);
      },
    );
  }

  async remove(actor: SessionUser, hostId: string): Promise<void> {
    const host = await getHost(this.db, hostId);
    await audited(this.db, actor, { action: 'host.remove', hostId, target: host.name }, async () => {
      await this.hub.remove(hostId);
      await deleteHost(this.db, hostId);
    });
  }

  /** Every host with its state and, for reachable ones, agent facts and live resource use. */
  async fleet(): Promise<FleetHost[]> {
    const hosts = await this.list();
    return Promise.all(hosts.map((host) => this.fleetRow(host)));
  }

  private async fleetRow(host: HostSummary): Promise<FleetHost> {
    if (host.status.state !== 'online' && host.status.state !== 'degraded') {
      return { ...host, agent: null, usage: null, error: null };
    }
    try {
      const [info, usage] = await Promise.all([
        this.cachedInfo(host.id),
        this.hub.call(host.id, (client) => client.system.usage.query()),
      ]);
      const agent = {
        version: info.ServerVersion,
        runtime: `${info.DefaultRuntime} ${info.Runtimes[info.DefaultRuntime]?.version ?? ''}`.trim(),
        cgroupVersion: info.CgroupVersion,
        containersRunning: info.ContainersRunning,
        containersStopped: info.ContainersStopped,
        images: info.Images,
      };
      return { ...host, agent, usage, error: null };
    } catch (error) {
      return {
        ...host,
        agent: null,
        usage: null,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  // Counts change with container work, facts rarely: a few seconds of staleness keeps a large fleet cheap.
  private readonly infoCache = new Map<string, { at: number; info: Promise<SystemInfo> }>();
  private cachedInfo(hostId: string): Promise<SystemInfo> {
    const cached = this.infoCache.get(hostId);
    if (cached && Date.now() - cached.at < INFO_CACHE_MS) return cached.info;
    const info = this.info(hostId);
    this.infoCache.set(hostId, { at: Date.now(), info });
    info.catch(() => this.infoCache.delete(hostId));
    return info;
  }

  async list(): Promise<HostSummary[]> {
    return (await listHosts(this.db)).map((host) => this.summarize(host));
  }

  async get(hostId: string): Promise<HostSummary> {
    return this.summarize(await getHost(this.db, hostId));
  }

  private summarize(host: HostRow): HostSummary {
    return {
      id: host.id,
      name: host.name,
      transport: HostTransportSchema.parse(host.transport),
      address: host.address,
      status: this.hub.status(host.id),
    };
  }

  async images(hostId: string): Promise<ImageSummary[]> {
    await getHost(this.db, hostId);
    return this.hub.call(hostId, (client) => client.images.list.query());
  }

  async info(hostId: string): Promise<SystemInfo> {
    await getHost(this.db, hostId);
    return this.hub.call(hostId, (client) => client.system.info.query());
  }

  /** Yields the current status of every host, then each change, until the signal aborts. */
  async *watchStatus(signal: AbortSignal | undefined): AsyncGenerator<HostStatus> {
    const queue: HostStatus[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = this.hub.onStatus((status) => {
      queue.push(status);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      for (const host of await listHosts(this.db)) yield this.hub.status(host.id);
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private targetOf(host: HostRow): AgentTarget {
    const credential = host.credentialCiphertext ? this.secrets.decrypt(host.credentialCiphertext) : null;
    const target = fromStored(host.id, host, credential);
    if (target.ssh && !target.ssh.hostKeyFingerprint) {
      target.ssh.onHostKeyPinned = (fingerprint) => {
        updateHost(this.db, host.id, { sshHostKey: fingerprint }).catch(() => undefined);
      };
    }
    return target;
  }
}
