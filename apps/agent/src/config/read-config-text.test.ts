import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_CONFIG_BYTES, readConfigText } from './read-config-text.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-text-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('reads a regular file and gives null for a missing one', async () => {
  await writeFile(join(dir, 'daemon.json'), '{"bip":"10.9.0.1/24"}');
  assert.equal(await readConfigText(join(dir, 'daemon.json')), '{"bip":"10.9.0.1/24"}');
  assert.equal(await readConfigText(join(dir, 'missing.json')), null);
});

test('refuses a directory, a named pipe, a device and an oversized file, saying what it is', async () => {
  await mkdir(join(dir, 'dir.json'));
  await assert.rejects(readConfigText(join(dir, 'dir.json')), /is a directory, not a regular file/);
  execFileSync('mkfifo', [join(dir, 'fifo.json')]);
  // Nobody writes the pipe: a blocking read would hang here.
  await assert.rejects(readConfigText(join(dir, 'fifo.json')), /is a named pipe, not a regular file/);
  await assert.rejects(readConfigText('/dev/zero'), /is a device, not a regular file/);
  await writeFile(join(dir, 'big.json'), '');
  await truncate(join(dir, 'big.json'), MAX_CONFIG_BYTES + 1);
  await assert.rejects(readConfigText(join(dir, 'big.json')), /at most 1048576 bytes/);
});
