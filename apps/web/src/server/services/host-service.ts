import { randomBytes } from 'node:crypto';
import {
  type CreateHostInput,
  type HostConnectionInput,
  HostLabelsSchema,
  type HostStatus,
  type HostSummary,
  HostTransportSchema,
  type ImageSummary,
  type SessionUser,
  StevedoreError,
  type SystemInfo,
  type UpdateHostInput,
} from '@stevedore/shared';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import {
  createHost,
  deleteHost,
  findHostById,
  findHostByName,
  getHost,
  listHosts,
  updateHost,
} from '../db/repositories/hosts';
import type { AgentHub, AgentTarget } from '../hub/agent-hub';
import { probeAgent } from '../hub/probe-agent';
import { fetchHostKey } from '../hub/ssh-connect';
import { listen } from '../util/listen';
import { audited } from './audited';
import { fromStored, targetFromInput, toStored } from './host-targets';

type HostRow = Awaited<ReturnType<typeof listHosts>>[number];

/** A host id made before the row exists, so its credential can be sealed to it (cuid-like). */
const newHostId = () =>
  `h${BigInt(`0x${randomBytes(16).toString('hex')}`)
    .toString(36)
    .padStart(25, '0')}`;

export interface HostKeyCheck {
  /** The fingerprint pinned for the host (null: none yet). */
  pinned: string | null;
  /** The fingerprint the machine presents now. */
  presented: string;
  matches: boolean;
}

export class HostService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * Connects the hub to every registered host (at server start). Credentials sealed before they
   * were bound to their host are re-sealed bound to it first.
   */
  async connectAll(): Promise<void> {
    for (let host of await listHosts(this.db)) {
      if (host.credentialCiphertext && this.secrets.isUnbound(host.credentialCiphertext)) {
        const credential = this.secrets.decrypt(host.credentialCiphertext, host.id);
        host = await updateHost(this.db, host.id, {
          credentialCiphertext: this.secrets.encrypt(credential, host.id),
        });
      }
      this.hub.add(this.targetOf(host));
    }
  }

  /**
   * Brings the hub in line with a host's row after another dashboard process changed it: registers
   * a new host, re-points an edited one (only when its connection or name changed), drops a removed one.
   */
  async reloadTarget(hostId: string): Promise<void> {
    const host = await findHostById(this.db, hostId);
    if (!host) {
      await this.hub.remove(hostId);
      return;
    }
    const target = this.targetOf(host);
    if (JSON.stringify(this.hub.target(hostId)) !== JSON.stringify(target)) this.hub.add(target);
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
  async test(input: HostConnectionInput): Promise<SystemInfo> {
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
        params: { transport: input.transport, address: target.address, labels: input.labels },
      },
      async () => {
        if (await findHostByName(this.db, input.name)) {
          throw new StevedoreError('ALREADY_EXISTS', `a host named "${input.name}" already exists`, {
            name: input.name,
          });
        }
        await probeAgent(target); // with SSH and no pinned key, this pins the key it sees
        const stored = toStored(target);
        const id = newHostId();
        const host = await createHost(this.db, {
          id,
          name: input.name,
          labels: input.labels,
          transport: input.transport,
          address: stored.address,
          credentialCiphertext: stored.credential ? this.secrets.encrypt(stored.credential, id) : null,
          caCert: stored.caCert,
          sshHostKey: stored.sshHostKey,
        });
        this.hub.add(this.targetOf(host));
        return this.summarize(host);
      },
    );
  }

  /**
   * Renames, relabels and/or re-points a host. A new connection is tested first and replaces the old
   * one only when it works; the hub then reconnects with it.
   */
  async update(actor: SessionUser, input: UpdateHostInput): Promise<HostSummary> {
    const host = await getHost(this.db, input.hostId);
    const target = input.connection ? targetFromInput(input.connection) : null;
    const params = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.labels !== undefined ? { labels: input.labels } : {}),
      ...(input.connection && target
        ? { transport: input.connection.transport, address: target.address }
        : {}),
    };
    return audited(
      this.db,
      actor,
      { action: 'host.update', hostId: host.id, target: host.name, params },
      async () => {
        if (
          input.name !== undefined &&
          input.name !== host.name &&
          (input.name === 'local' || host.name === 'local')
        ) {
          throw new StevedoreError(
            'INVALID_ARGUMENT',
            'the name "local" belongs to the dashboard machine\'s own agent; it cannot be given or taken away',
          );
        }
        const changes: Parameters<typeof updateHost>[2] = {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.labels !== undefined ? { labels: input.labels } : {}),
        };
        if (input.connection && target) {
          // Editing the connection keeps the pinned host key: a machine presenting another key is
          // refused (both fingerprints shown) until an admin accepts the new key (acceptHostKey).
          if (target.ssh && !target.ssh.hostKeyFingerprint && host.sshHostKey) {
            target.ssh.hostKeyFingerprint = host.sshHostKey;
          }
          await probeAgent(target);
          const stored = toStored(target);
          Object.assign(changes, {
            transport: input.connection.transport,
            address: stored.address,
            credentialCiphertext: stored.credential ? this.secrets.encrypt(stored.credential, host.id) : null,
            caCert: stored.caCert,
            sshHostKey: stored.sshHostKey,
          });
        }
        const updated = await updateHost(this.db, host.id, changes);
        if (input.connection || input.name !== undefined) this.hub.add(this.targetOf(updated));
        return this.summarize(updated);
      },
    );
  }

  /** Asks an SSH host which key it presents now (no credentials are sent) and compares it to the pin. */
  async checkHostKey(hostId: string): Promise<HostKeyCheck> {
    const host = await getHost(this.db, hostId);
    const { ssh } = this.sshTargetOfRow(host);
    const presented = await fetchHostKey(ssh.host, ssh.port);
    return { pinned: host.sshHostKey, presented, matches: presented === host.sshHostKey };
  }

  /**
   * An admin accepts the key an SSH host presents now, after it changed (a reinstall, a rotated
   * key). `fingerprint` is the one the admin saw and checked; if the host presents another one by
   * now, nothing is changed.
   */
  async acceptHostKey(actor: SessionUser, hostId: string, fingerprint: string): Promise<HostSummary> {
    const host = await getHost(this.db, hostId);
    return audited(
      this.db,
      actor,
      {
        action: 'host.accept-host-key',
        hostId,
        target: host.name,
        params: { previous: host.sshHostKey, fingerprint },
      },
      async () => {
        const { ssh } = this.sshTargetOfRow(host);
        const presented = await fetchHostKey(ssh.host, ssh.port);
        if (presented !== fingerprint) {
          throw new StevedoreError(
            'CONFLICT',
            `${ssh.username}@${ssh.host}:${ssh.port} now presents ${presented}, not ${fingerprint}; check it again`,
            { hostId, presented, fingerprint },
          );
        }
        const updated = await updateHost(this.db, host.id, { sshHostKey: fingerprint });
        this.hub.add(this.targetOf(updated));
        return this.summarize(updated);
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
      labels: HostLabelsSchema.parse(JSON.parse(host.labels)),
      sshHostKey: host.transport === 'ssh' ? host.sshHostKey : null,
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
  watchStatus(signal: AbortSignal | undefined): AsyncGenerator<HostStatus> {
    return listen<HostStatus>(
      (push) => this.hub.onStatus(push),
      signal,
      async () => (await listHosts(this.db)).map((host) => this.hub.status(host.id)),
    );
  }

  /** How to reach an SSH host (its stored credentials, decrypted), e.g. to install its agent. */
  async sshTargetOf(hostId: string): Promise<{ name: string; ssh: NonNullable<AgentTarget['ssh']> }> {
    return this.sshTargetOfRow(await getHost(this.db, hostId));
  }

  private sshTargetOfRow(host: HostRow): { name: string; ssh: NonNullable<AgentTarget['ssh']> } {
    const hostId = host.id;
    const { ssh } = this.targetOf(host);
    if (!ssh) {
      throw new StevedoreError('FAILED_PRECONDITION', `host ${host.name} is not reached over SSH`, {
        hostId,
      });
    }
    return { name: host.name, ssh };
  }

  private targetOf(host: HostRow): AgentTarget {
    const credential = host.credentialCiphertext
      ? this.secrets.decrypt(host.credentialCiphertext, host.id)
      : null;
    const target = fromStored(host.id, host, credential);
    if (target.ssh && !target.ssh.hostKeyFingerprint) {
      target.ssh.onHostKeyPinned = (fingerprint) => {
        updateHost(this.db, host.id, { sshHostKey: fingerprint }).catch(() => undefined);
      };
    }
    return target;
  }
}
