import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { detectCgroupVersion, parseOsRelease } from './host-facts.js';
import { parseRuntimeVersion } from './runtimes.js';

const dir = mkdtempSync(join(tmpdir(), 'stevedore-facts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('parseOsRelease reads PRETTY_NAME, quoted or not', () => {
  assert.equal(
    parseOsRelease('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
    'Debian GNU/Linux 12 (bookworm)',
  );
  assert.equal(parseOsRelease("PRETTY_NAME='Alpine Linux v3.20'"), 'Alpine Linux v3.20');
  assert.equal(parseOsRelease('PRETTY_NAME=Plain'), 'Plain');
  assert.equal(parseOsRelease('NAME=x'), null);
});

test('parseRuntimeVersion reads the first line of runc/crun --version', () => {
  assert.equal(parseRuntimeVersion('runc version 1.1.5+ds1\ncommit: 1.1.5\nspec: 1.0.2-dev\n'), '1.1.5+ds1');
  assert.equal(parseRuntimeVersion('crun version 1.8.1\ncommit: abc\n'), '1.8.1');
  assert.equal(parseRuntimeVersion('garbage'), null);
});

test('cgroup v2 is recognised by cgroup.controllers at the root', () => {
  assert.equal(detectCgroupVersion(dir), '1');
  writeFileSync(join(dir, 'cgroup.controllers'), 'cpu memory pids\n');
  assert.equal(detectCgroupVersion(dir), '2');
});
