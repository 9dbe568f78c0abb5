import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';

const KEY_BYTES = 32;
const IV_BYTES = 12;
/** v1: no associated data (before credentials were bound to their host); read only, never written. */
const UNBOUND = 'v1';
/** v2: the host id is the associated data, so a ciphertext only decrypts in its own host's row. */
const BOUND = 'v2';

const associatedData = (hostId: string) => Buffer.from(`stevedore-host-credential:${hostId}`, 'utf8');

/**
 * AES-256-GCM for host credentials at rest. The key lives outside the database (a 0600 file in the
 * data directory, or STEVEDORE_SECRET_KEY), so a leaked database dump reveals no agent token; each
 * ciphertext is bound to its host's id, so someone who can write the database cannot move one host's
 * credential into a host row they control (pointing at their own machine) to have it sent there.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }

  /** Seals the credential of host `hostId`. */
  encrypt(plaintext: string, hostId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(associatedData(hostId));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [BOUND, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64')))
      .join(':');
  }

  /** Opens the credential stored in host `hostId`'s row; fails if it was sealed for another host. */
  decrypt(ciphertext: string, hostId: string): string {
    const [version, iv, tag, data, ...rest] = ciphertext.split(':');
    if ((version !== BOUND && version !== UNBOUND) || !iv || !tag || data === undefined || rest.length > 0) {
      throw new StevedoreError('INVALID_ARGUMENT', `unsupported credential format "${version ?? ''}"`, {
        hostId,
      });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      if (version === BOUND) decipher.setAAD(associatedData(hostId));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        'a stored credential cannot be decrypted: the secret key changed, the data was tampered with, or it belongs to another host',
        { hostId },
        { cause },
      );
    }
  }

  /** True for a ciphertext written before credentials were bound to their host (re-seal it). */
  isUnbound(ciphertext: string): boolean {
    return ciphertext.startsWith(`${UNBOUND}:`);
  }
}

/** The key from STEVEDORE_SECRET_KEY (base64) if given, else `<dataDir>/secret.key`, created on first use. */
export function loadSecretBox(dataDir: string, keyFromEnv?: string): SecretBox {
  if (keyFromEnv) return new SecretBox(Buffer.from(keyFromEnv, 'base64'));
  const path = join(dataDir, 'secret.key');
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(KEY_BYTES).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);
  return new SecretBox(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'));
}
