import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SandboxStore } from './sandbox-store.js';

const id = 'a'.repeat(64);
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sandbox-store-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function record(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ContainerId: id,
    Path: '/etc',
    Interfaces: [],
    Ports: [],
    Rules: [],
    ...overrides,
  });
}

test('a record’s namespace path comes from its container id, not from the file', async () => {
  const store = new SandboxStore(join(dir, 'path'));
  await mkdir(store.dir);
  await store.save(JSON.parse(record()));
  const skipped: string[] = [];
  const [loaded, ...rest] = await store.loadAll((file) => skipped.push(file));
  assert.equal(rest.length, 0);
  assert.equal(loaded?.Path, store.pathFor(id));
  assert.deepEqual(skipped, []);
});

test('unreadable, foreign and misnamed records are skipped with a reason', async () => {
  const store = new SandboxStore(join(dir, 'bad'));
  await mkdir(store.dir);
  await store.save(JSON.parse(record()));
  await writeFile(join(store.dir, `${'b'.repeat(64)}.json`), '{"ContainerId": "b');
  await writeFile(join(store.dir, `${'c'.repeat(64)}.json`), record({ ContainerId: '../../etc' }));
  await writeFile(join(store.dir, `${'d'.repeat(64)}.json`), record());
  const skipped = new Map<string, string>();
  const loaded = await store.loadAll((file, reason) => skipped.set(file.slice(-69, -5), reason));
  assert.deepEqual(
    loaded.map((sandbox) => sandbox.ContainerId),
    [id],
  );
  assert.match(skipped.get('b'.repeat(64)) ?? '', /expected object/);
  assert.match(skipped.get('c'.repeat(64)) ?? '', /64 hex digits/);
  assert.match(skipped.get('d'.repeat(64)) ?? '', /file name/);
});
