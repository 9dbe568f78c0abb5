import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { removeInterruptedWrites, writeFileAtomic } from './atomic-file.js';

const dir = mkdtempSync(join(tmpdir(), 'stevedore-atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('replaces the content with the given mode and leaves no temp file', async () => {
  const file = join(dir, 'state.json');
  writeFileSync(file, 'old', { mode: 0o644 });
  await writeFileAtomic(file, 'new', 0o600);
  assert.equal(readFileSync(file, 'utf8'), 'new');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['state.json']);
});

test('fails without touching the target when the directory is missing', async () => {
  await assert.rejects(writeFileAtomic(join(dir, 'missing', 'f'), 'x'), { code: 'ENOENT' });
});

test('removeInterruptedWrites removes what a crash left of writes, and nothing else', async () => {
  const sub = mkdtempSync(join(dir, 'interrupted-'));
  writeFileSync(join(sub, 'a.json'), '{}');
  writeFileSync(join(sub, '.a.json.0123456789ab.tmp'), '{"half');
  writeFileSync(join(sub, '.hidden'), 'kept');
  await removeInterruptedWrites(sub);
  assert.deepEqual(readdirSync(sub).sort(), ['.hidden', 'a.json']);
});
