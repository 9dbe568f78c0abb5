import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import type { Client } from 'ssh2';
import { connectSsh, type SshTarget } from './ssh-connect';

export type { SshTarget } from './ssh-connect';

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
  /** Why the last SSH connection failed (a changed host key, a refused login), until one succeeds. */
  lastError: Error | null = null;

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
    // Ending SSH first closes the forwarded streams, and with them the local connections that
    // server.close() waits for.
    const ssh = await this.ssh?.catch(() => null);
    ssh?.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async forward(local: Socket): Promise<void> {
    // A failed forward just closes the local connection (the websocket client reconnects); an
    // 'error' event without a listener would crash the server instead.
    local.on('error', () => {});
    try {
      const ssh = await this.connection();
      ssh.openssh_forwardOutStreamLocal(this.target.socketPath, (error, remote) => {
        if (error) {
          local.destroy();
          return;
        }
        local.pipe(remote).pipe(local);
        remote.on('error', () => local.destroy());
        local.on('error', () => remote.destroy());
        remote.on('close', () => local.destroy());
      });
    } catch {
      local.destroy();
    }
  }

  private connection(): Promise<Client> {
    if (this.closed) return Promise.reject(new StevedoreError('UNAVAILABLE', 'SSH tunnel closed'));
    this.ssh ??= this.connect().then(
      (client) => {
        this.lastError = null;
        return client;
      },
      (error: unknown) => {
        this.ssh = null;
        this.lastError = error instanceof Error ? error : new Error(String(error));
        throw error;
      },
    );
    return this.ssh;
  }

  private async connect(): Promise<Client> {
    const client = await connectSsh(this.target);
    // A dropped SSH connection is re-established on the next forwarded connection.
    client.once('close', () => {
      if (this.ssh) this.ssh = null;
    });
    return client;
  }
}
