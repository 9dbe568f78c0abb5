import { createHash } from 'node:crypto';
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
 * Opens an SSH connection, checking the host key against the pinned fingerprint; with none pinned,
 * the key seen is accepted, written back to `target` and reported through `onHostKeyPinned`.
 */
export function connectSsh(target: SshTarget): Promise<Client> {
  const { host, port, username, privateKey, password, hostKeyFingerprint } = target;
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
          target.onHostKeyPinned?.(seen);
          target.hostKeyFingerprint = seen;
          return true;
        }
        if (seen === hostKeyFingerprint) return true;
        hostKeyMismatch = `the SSH host key of ${where} changed: expected ${hostKeyFingerprint}, got ${seen}`;
        return false;
      },
    });
  });
}
