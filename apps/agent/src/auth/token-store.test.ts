import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateToken, hashToken, TokenStore } from './token-store.js';

const dir = mkdtempSync(join(tmpdir(), 'stevedore-tokens-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('hashToken is hex sha256 of the token', () => {
  assert.equal(hashToken('abc'), createHash('sha256').update('abc').digest('hex'));
  assert.notEqual(hashToken('abc'), hashToken('abd'));
});

test('generated tokens are long, prefixed and unique', () => {
  const a = generateToken();
  assert.match(a, /^sdt_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, generateToken());
});

test('create stores only the hash (0600, atomically) and verify finds the token', async () => {
  const file = join(dir, 'auth', 'tokens.json');
  const store = await TokenStore.open(file);
  const created = await store.create('ci');
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(created.token));
  assert.ok(text.includes(hashToken(created.token)));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(dir, 'auth')), ['tokens.json'], 'no temp files are left behind');

  assert.deepEqual(store.verify(created.token), { id: created.id, name: 'ci', createdAt: created.createdAt });
  assert.equal(store.verify(`${created.token}x`), null);
  assert.equal(store.verify(''), null);

  const reopened = await TokenStore.open(file);
  assert.equal(reopened.verify(created.token)?.id, created.id, 'tokens survive a restart');
  assert.deepEqual(Object.keys(reopened.list()[0] ?? {}).sort(), ['createdAt', 'id', 'name']);
});

test('names are unique; remove deletes; unknown ids are NOT_FOUND', async () => {
  const store = await TokenStore.open(join(dir, 'second.json'));
  const created = await store.create('deploy');
  await assert.rejects(store.create('deploy'), { code: 'ALREADY_EXISTS' });
  await store.remove(created.id);
  assert.equal(store.verify(created.token), null);
  assert.deepEqual(store.list(), []);
  await assert.rejects(store.remove(created.id), { code: 'NOT_FOUND' });
});

test('concurrent creates are serialized and all persisted', async () => {
  const file = join(dir, 'concurrent.json');
  const store = await TokenStore.open(file);
  await Promise.all(Array.from({ length: 10 }, (_, i) => store.create(`t${i}`)));
  assert.equal((await TokenStore.open(file)).list().length, 10);
});

test('a damaged token file is refused, not silently emptied', async () => {
  const file = join(dir, 'damaged.json');
  writeFileSync(file, '{"version":1,"tokens":[{"id":1}]}');
  await assert.rejects(TokenStore.open(file), { code: 'FAILED_PRECONDITION' });
});
