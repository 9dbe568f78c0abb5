import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const VERSION = 'v1';

/**
 * AES-256-GCM for host credentials at rest. The key lives outside the database (a 0600 file in the
 * data directory, or STEVEDORE_SECRET_KEY), so a leaked database dump reveals no agent token.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64')))
      .join(':');
  }

  decrypt(ciphertext: string): string {
    const [version, iv, tag, data] = ciphertext.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) {
      throw new StevedoreError('INVALID_ARGUMENT', `unsupported credential format "${version ?? ''}"`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        'a stored credential cannot be decrypted: the secret key changed or the data was tampered with',
        {},
        { cause },
      );
    }
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
