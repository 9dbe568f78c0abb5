import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSecretBox, SecretBox } from './secret-box.js';

test('encrypts and decrypts; the ciphertext does not contain the secret', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.encrypt('agent-token-1234567890');
  assert.match(sealed, /^v1:/);
  assert.doesNotMatch(sealed, /agent-token/);
  assert.equal(box.decrypt(sealed), 'agent-token-1234567890');
});

test('tampered data and a wrong key are refused', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.encrypt('secret');
  const parts = sealed.split(':');
  const flipped = Buffer.from(parts[3]!, 'base64');
  flipped[0]! ^= 1;
  parts[3] = flipped.toString('base64');
  assert.throws(() => box.decrypt(parts.join(':')), /cannot be decrypted/);
  assert.throws(() => new SecretBox(randomBytes(32)).decrypt(sealed), /cannot be decrypted/);
});

test('the key file is created once, mode 0600, and reused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-secret-'));
  try {
    const sealed = loadSecretBox(dir).encrypt('x');
    assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
    assert.equal(loadSecretBox(dir).decrypt(sealed), 'x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
