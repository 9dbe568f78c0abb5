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
 * sshd drops connections it has not started yet when too many are unauthenticated at once
 * (MaxStartups): the client sees the connection close before any handshake. Nothing was sent or
 * verified then, so trying again after a pause is safe.
 */
const DROPPED_BEFORE_HANDSHAKE = 'Connection lost before handshake';
const HANDSHAKE_RETRY_DELAYS_MS = [250, 1_000];

/**
 * Opens an SSH connection, checking the host key against the pinned fingerprint; with none pinned,
 * the key seen is accepted, written back to `target` and reported through `onHostKeyPinned`.
 */
export async function connectSsh(target: SshTarget): Promise<Client> {
  for (const delayMs of HANDSHAKE_RETRY_DELAYS_MS) {
    try {
      return await connectSshOnce(target);
    } catch (error) {
      if (!(error instanceof DroppedBeforeHandshake)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  return connectSshOnce(target);
}

class DroppedBeforeHandshake extends StevedoreError {}

/** Closes a connection that failed; what it reports after that (a reset after a refusal) adds nothing. */
function abandon(client: Client): void {
  client.on('error', () => {});
  client.destroy();
}

function connectSshOnce(target: SshTarget): Promise<Client> {
  const { host, port, username, privateKey, password, hostKeyFingerprint } = target;
  const where = `${username}@${host}:${port}`;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presented: string | null = null;
    client.once('ready', () => resolve(client));
    client.once('error', (error) => {
      abandon(client);
      const message = `SSH to ${where} failed: ${error.message}`;
      reject(
        presented && hostKeyFingerprint && presented !== hostKeyFingerprint
          ? hostKeyChanged(where, hostKeyFingerprint, presented)
          : !presented && error.message === DROPPED_BEFORE_HANDSHAKE
            ? new DroppedBeforeHandshake('UNAVAILABLE', message, { host: where })
            : new StevedoreError('UNAVAILABLE', message, { host: where }),
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
        presented = seen;
        if (!hostKeyFingerprint) {
          target.onHostKeyPinned?.(seen);
          target.hostKeyFingerprint = seen;
          return true;
        }
        return seen === hostKeyFingerprint;
      },
    });
  });
}

/** The refusal of a host whose key is not the pinned one: both fingerprints, and what to do. */
export const hostKeyChanged = (where: string, pinned: string, presented: string) =>
  new StevedoreError(
    'PERMISSION_DENIED',
    `the SSH host key of ${where} changed: pinned ${pinned}, presented ${presented}; ` +
      'if the machine was reinstalled or its key rotated, an admin can accept the new key on the host page',
    { host: where, pinnedHostKey: pinned, presentedHostKey: presented },
  );

/**
 * The fingerprint of the host key `host:port` presents, without authenticating (the handshake is
 * abandoned right after the key is seen, so no credential is sent).
 */
export function fetchHostKey(host: string, port: number, timeoutMs = 10_000): Promise<string> {
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let seen: string | null = null;
    client.once('error', (error) => {
      abandon(client);
      if (seen) resolve(seen);
      else
        reject(
          new StevedoreError('UNAVAILABLE', `SSH to ${where} failed: ${error.message}`, { host: where }),
        );
    });
    client.once('ready', () => {
      // Unreachable: the verifier refuses every key; end the connection should it ever happen.
      client.end();
      if (seen) resolve(seen);
    });
    client.connect({
      host,
      port,
      username: 'stevedore-host-key-check',
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        return false;
      },
    });
  });
}
