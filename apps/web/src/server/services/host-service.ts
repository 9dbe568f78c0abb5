import { type HostStatus, type HostSummary, HostTransportSchema, type SystemInfo } from '@stevedore/shared';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { createHost, findHostByName, getHost, listHosts, updateHost } from '../db/repositories/hosts';
import type { AgentHub, AgentTarget } from '../hub/agent-hub';

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
    if (!existing) {
      const host = await createHost(this.db, { name: 'local', transport: 'unix', address });
      await appendAudit(this.db, {
        userId: null,
        username: 'system',
        action: 'host.create',
        hostId: host.id,
        target: 'local',
        params: { transport: 'unix', address },
        result: 'ok',
      });
    } else if (existing.address !== address) {
      await updateHost(this.db, existing.id, { address });
    }
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
    const target: AgentTarget = { hostId: host.id, address: host.address };
    if (host.credentialCiphertext) target.token = this.secrets.decrypt(host.credentialCiphertext);
    if (host.caCert) target.caCert = host.caCert;
    return target;
  }
}
