import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, needsRehash, verifyPassword } from './password.js';

test('a hashed password uses OWASP scrypt parameters (N=2^17, r=8, p=1), stored in the hash, and verifies', async () => {
  const stored = await hashPassword('correct horse battery');
  assert.match(stored, /^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
  assert.equal(needsRehash(stored), false);
  assert.equal(await verifyPassword('correct horse battery', stored), true);
  assert.equal(await verifyPassword('correct horse batterY', stored), false);
});

test('a hash with older parameters still verifies and is marked for rehashing', async () => {
  const old = await hashPassword('an older password', { N: 2 ** 15, r: 8, p: 1 });
  assert.match(old, /^scrypt\$32768\$8\$1\$/);
  assert.equal(await verifyPassword('an older password', old), true);
  assert.equal(needsRehash(old), true);
});

test('two hashes of one password differ (random salt)', async () => {
  assert.notEqual(await hashPassword('same password!'), await hashPassword('same password!'));
});

test('a malformed or absurd stored hash never verifies (and costs no memory)', async () => {
  assert.equal(await verifyPassword('x', 'plain-text'), false);
  assert.equal(await verifyPassword('x', `scrypt$${2 ** 30}$8$1$AAAA$${'A'.repeat(44)}`), false);
  assert.equal(await verifyPassword('x', `scrypt$1000$8$1$AAAA$${'A'.repeat(44)}`), false);
  assert.equal(needsRehash('plain-text'), true);
});
