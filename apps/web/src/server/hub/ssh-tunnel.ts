import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import { Client } from 'ssh2';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey?: string;
  password?: string;
  /** The agent's unix socket on the remote machine. */
  socketPath: string;
  /** Pinned host key (SHA256:…); when absent the first key seen is accepted and reported. */
  hostKeyFingerprint?: string;
  onHostKeyPinned?: (fingerprint: string) => void;
}

/** OpenSSH's fingerprint form for a raw host key: `SHA256:` + unpadded base64 of its sha256. */
export const fingerprintOf = (key: Buffer): string =>
  `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

/**
 * One SSH connection per host, multiplexing every agent connection as an OpenSSH stream-local
 * forward to the agent's unix socket (`direct-streamlocal@openssh.com`), so the agent exposes no
 * network port. Locally it is a unix socket in a private 0700 directory that the websocket client
 * dials like any local agent.
 */
export class SshTunnel {
  readonly localSocket: string;
  private readonly dir: string;
  private readonly server: Server;
  private ssh: Promise<Client> | null = null;
  private closed = false;

  constructor(private readonly target: SshTarget) {
    this.dir = mkdtempSync(join(tmpdir(), 'stevedore-ssh-'));
    this.localSocket = join(this.dir, 'agent.sock');
    this.server = createServer((local) => void this.forward(local));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.localSocket, () => resolve());
    });
  }

  /** Connects SSH now (instead of on the first forwarded connection) to surface errors early. */
  async check(): Promise<void> {
    await this.connection();
  }

  async close(): Promise<void> {
    this.closed = true;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const ssh = await this.ssh?.catch(() => null);
    ssh?.end();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async forward(local: Socket): Promise<void> {
    try {
      const ssh = await this.connection();
      ssh.openssh_forwardOutStreamLocal(this.target.socketPath, (error, remote) => {
        if (error) {
          local.destroy(error);
          return;
        }
        local.pipe(remote).pipe(local);
        remote.on('error', () => local.destroy());
        local.on('error', () => remote.destroy());
        remote.on('close', () => local.destroy());
      });
    } catch (error) {
      local.destroy(error as Error);
    }
  }

  private connection(): Promise<Client> {
    if (this.closed) return Promise.reject(new StevedoreError('UNAVAILABLE', 'SSH tunnel closed'));
    this.ssh ??= this.connect().catch((error: unknown) => {
      this.ssh = null;
      throw error;
    });
    return this.ssh;
  }

  private connect(): Promise<Client> {
    const { host, port, username, privateKey, password, hostKeyFingerprint } = this.target;
    const where = `${username}@${host}:${port}`;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let hostKeyMismatch: string | null = null;
      client.once('ready', () => resolve(client));
      client.once('error', (error) => {
        reject(
          hostKeyMismatch
            ? new StevedoreError('PERMISSION_DENIED', hostKeyMismatch, { host: where })
            : new StevedoreError('UNAVAILABLE', `SSH to ${where} failed: ${error.message}`, { host: where }),
        );
      });
      // A dropped SSH connection is re-established on the next forwarded connection.
      client.once('close', () => {
        if (this.ssh) this.ssh = null;
      });
      client.connect({
        host,
        port,
        username,
        ...(privateKey ? { privateKey } : {}),
        ...(password ? { password } : {}),
        readyTimeout: 10_000,
        keepaliveInterval: 10_000,
        hostVerifier: (key: Buffer) => {
          const seen = fingerprintOf(key);
          if (!hostKeyFingerprint) {
            this.target.onHostKeyPinned?.(seen);
            this.target.hostKeyFingerprint = seen;
            return true;
          }
          if (seen === hostKeyFingerprint) return true;
          hostKeyMismatch = `the SSH host key of ${where} changed: expected ${hostKeyFingerprint}, got ${seen}`;
          return false;
        },
      });
    });
  }
}
