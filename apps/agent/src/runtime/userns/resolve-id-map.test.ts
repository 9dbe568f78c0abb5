import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSubordinateIds, resolveIdMap, shiftOwnership } from './resolve-id-map.js';

test('subordinate id files parse by name or uid; malformed lines are skipped', () => {
  assert.deepEqual(parseSubordinateIds('alice:100000:65536\n# note\n1001:165536:65536\nbroken\n'), [
    { owner: 'alice', start: 100000, size: 65536 },
    { owner: '1001', start: 165536, size: 65536 },
  ]);
});

test('a user without a range is refused with the line to add', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subids-'));
  try {
    writeFileSync(join(dir, 'subuid'), '');
    writeFileSync(join(dir, 'subgid'), '');
    await assert.rejects(
      resolveIdMap('root', { subuid: join(dir, 'subuid'), subgid: join(dir, 'subgid') }),
      /no subordinate id range for "root" in .*subuid; add a line such as root:100000:65536/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ownership shifts into the range; setuid survives the chown; symlinks change themselves', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shift-'));
  try {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin/tool'), 'x');
    chmodSync(join(dir, 'bin/tool'), 0o4755);
    symlinkSync('/nowhere', join(dir, 'link'));
    await shiftOwnership(dir, { uid: { start: 100000, size: 65536 }, gid: { start: 200000, size: 65536 } });
    const tool = statSync(join(dir, 'bin/tool'));
    assert.equal(tool.uid, 100000);
    assert.equal(tool.gid, 200000);
    assert.equal(tool.mode & 0o7777, 0o4755);
    assert.equal(statSync(dir).uid, 100000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
