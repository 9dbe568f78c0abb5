import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Runc } from './runc.js';

// A stand-in for runc whose `delete` always fails and whose `state` reports $STATE.
let dir: string;
const id = 'f'.repeat(64);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runc-fake-'));
  await mkdir(join(dir, 'root', id), { recursive: true });
});
after(() => rm(dir, { recursive: true, force: true }));

async function fakeRunc(state: string): Promise<Runc> {
  const binary = join(dir, `runc-${state}`);
  const stateOutput =
    state === 'gone'
      ? 'echo "container does not exist" >&2; exit 1'
      : `echo '{"id":"${id}","pid":1,"status":"${state}","bundle":"/b"}'`;
  await writeFile(
    binary,
    `#!/bin/sh\ncase "$3" in\n  delete) echo 'msg="unable to remove cgroup: device or resource busy"' >&2; exit 1;;\n  state) ${stateOutput};;\nesac\n`,
  );
  await chmod(binary, 0o755);
  return new Runc(binary, join(dir, 'root'));
}

test('a failed delete refuses removal while runc says the container still runs', async () => {
  for (const state of ['running', 'paused', 'created']) {
    await assert.rejects((await fakeRunc(state)).deleteBeforeRemoval(id), /runc delete .* resource busy/);
  }
});

test('a failed delete lets removal go on when nothing of the container runs', async () => {
  for (const state of ['stopped', 'gone']) {
    const { leftover } = await (await fakeRunc(state)).deleteBeforeRemoval(id);
    assert.match(leftover?.message ?? '', /resource busy/);
  }
});
