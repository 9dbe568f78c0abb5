import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSecretBox, SecretBox } from './secret-box.js';

/** A credential as the dashboard sealed it before ciphertexts were bound to their host (v1, no AAD). */
function sealUnbound(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(
    ':',
  );
}

test('encrypts and decrypts for its host; the ciphertext does not contain the secret', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.encrypt('agent-token-1234567890', 'host-a');
  assert.match(sealed, /^v2:/);
  assert.doesNotMatch(sealed, /agent-token/);
  assert.equal(box.decrypt(sealed, 'host-a'), 'agent-token-1234567890');
  assert.equal(box.isUnbound(sealed), false);
});

test("a ciphertext copied into another host's row does not decrypt", () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.encrypt('agent-token-1234567890', 'host-a');
  assert.throws(() => box.decrypt(sealed, 'host-b'), /cannot be decrypted.*another host/);
  // A bound ciphertext relabelled as the unbound format does not decrypt either.
  assert.throws(() => box.decrypt(sealed.replace(/^v2:/, 'v1:'), 'host-a'), /cannot be decrypted/);
});

test('ciphertexts written before binding (v1) still decrypt and are recognised for re-sealing', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const legacy = sealUnbound(key, 'old token');
  assert.equal(box.isUnbound(legacy), true);
  assert.equal(box.decrypt(legacy, 'any-host'), 'old token');
});

test('tampered data and a wrong key are refused', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.encrypt('secret', 'h');
  const parts = sealed.split(':');
  const flipped = Buffer.from(parts[3]!, 'base64');
  flipped[0]! ^= 1;
  parts[3] = flipped.toString('base64');
  assert.throws(() => box.decrypt(parts.join(':'), 'h'), /cannot be decrypted/);
  assert.throws(() => new SecretBox(randomBytes(32)).decrypt(sealed, 'h'), /cannot be decrypted/);
  assert.throws(() => box.decrypt('v3:a:b:c', 'h'), /unsupported credential format/);
});

test('the key file is created once, mode 0600, and reused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-secret-'));
  try {
    const sealed = loadSecretBox(dir).encrypt('x', 'h');
    assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
    assert.equal(loadSecretBox(dir).decrypt(sealed, 'h'), 'x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
