import type { HostConnectionInput } from '@stevedore/shared';
import { StevedoreError } from '@stevedore/shared';
import type { AgentTarget } from '../hub/agent-hub';

/** What is stored for a host: where it is (no secrets) and its credential (encrypted by the caller). */
export interface StoredTarget {
  address: string;
  credential: string | null;
  caCert: string | null;
  sshHostKey: string | null;
}

interface SshCredential {
  privateKey?: string;
  password?: string;
}

/** Where a host is and how to authenticate, before it has an id and a name. */
export type ConnectionTarget = Omit<AgentTarget, 'hostId' | 'name'>;

export function targetFromInput(input: HostConnectionInput): ConnectionTarget {
  switch (input.transport) {
    case 'unix':
      return { address: `unix://${input.socketPath}` };
    case 'tls':
      return { address: input.url, token: input.token, ...(input.caCert ? { caCert: input.caCert } : {}) };
    case 'ssh': {
      const host = input.sshHost.includes(':') ? `[${input.sshHost}]` : input.sshHost;
      return {
        address: `ssh://${input.sshUser}@${host}:${input.sshPort}${input.socketPath}`,
        ssh: {
          host: input.sshHost,
          port: input.sshPort,
          username: input.sshUser,
          socketPath: input.socketPath,
          ...(input.privateKey ? { privateKey: input.privateKey } : {}),
          ...(input.password ? { password: input.password } : {}),
          ...(input.hostKeyFingerprint ? { hostKeyFingerprint: input.hostKeyFingerprint } : {}),
        },
      };
    }
  }
}

export function toStored(target: ConnectionTarget): StoredTarget {
  const sshCredential: SshCredential | null = target.ssh
    ? {
        ...(target.ssh.privateKey ? { privateKey: target.ssh.privateKey } : {}),
        ...(target.ssh.password ? { password: target.ssh.password } : {}),
      }
    : null;
  return {
    address: target.address,
    credential: sshCredential ? JSON.stringify(sshCredential) : (target.token ?? null),
    caCert: target.caCert ?? null,
    sshHostKey: target.ssh?.hostKeyFingerprint ?? null,
  };
}

export function fromStored(
  hostId: string,
  row: { name: string; transport: string; address: string; caCert: string | null; sshHostKey: string | null },
  credential: string | null,
): AgentTarget {
  if (row.transport !== 'ssh') {
    return {
      hostId,
      name: row.name,
      address: row.address,
      ...(credential ? { token: credential } : {}),
      ...(row.caCert ? { caCert: row.caCert } : {}),
    };
  }
  const url = new URL(row.address);
  const secret = (credential ? JSON.parse(credential) : {}) as SshCredential;
  if (url.protocol !== 'ssh:' || !url.username || !url.pathname.startsWith('/')) {
    throw new StevedoreError('INVALID_ARGUMENT', `stored SSH address "${row.address}" is malformed`, {
      hostId,
    });
  }
  return {
    hostId,
    name: row.name,
    address: row.address,
    ssh: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 22),
      username: decodeURIComponent(url.username),
      socketPath: decodeURIComponent(url.pathname),
      ...secret,
      ...(row.sshHostKey ? { hostKeyFingerprint: row.sshHostKey } : {}),
    },
  };
}
