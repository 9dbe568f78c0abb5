import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { KeyedLock } from '../../util/keyed-lock.js';
import { ContainerFilesystem, type ContainerFilesystemDeps } from './container-filesystem.js';

const ID = 'a'.repeat(64);

/** A stopped container whose "mount" is a plain directory; mounts and unmounts are counted. */
function stoppedContainer() {
  const rootfs = mkdtempSync(join(tmpdir(), 'stevedore-fs-'));
  mkdirSync(join(rootfs, 'etc'));
  for (let i = 0; i < 200; i++) writeFileSync(join(rootfs, 'etc', `file-${i}`), 'x'.repeat(4096));
  const calls = { mounted: 0, unmounted: 0, mountedNow: false };
  const record = { Id: ID, State: { Running: false, Pid: 0 } };
  const deps = {
    store: { get: () => record, find: () => record },
    layers: {
      mountContainerLayer: async () => {
        calls.mounted++;
        calls.mountedNow = true;
        return rootfs;
      },
      unmountContainerLayer: async () => {
        calls.unmounted++;
        calls.mountedNow = false;
      },
    },
    log: pino({ level: 'silent' }),
  } as unknown as ContainerFilesystemDeps;
  const lock = new KeyedLock();
  const files = new ContainerFilesystem(deps, {
    withLock: (key, fn) => lock.run(key, fn),
    publish: () => {},
  });
  return { files, calls, cleanup: () => rmSync(rootfs, { recursive: true, force: true }) };
}

test('concurrent export and cp of a stopped container share its mount; the last one unmounts it', async () => {
  const { files, calls, cleanup } = stoppedContainer();
  try {
    const exporting = files.exportTar(ID, new AbortController().signal);
    const first = await exporting.next(); // the export holds the mount and has begun
    assert.equal(first.done, false);

    let copied = 0;
    for await (const chunk of files.copyFrom(ID, '/etc/file-1', new AbortController().signal))
      copied += chunk.length;
    assert.ok(copied > 4096, 'cp read the file');
    assert.equal(calls.mountedNow, true, 'the finished cp left the export its mount');
    assert.equal(calls.unmounted, 0);

    let exported = first.value?.length ?? 0;
    for await (const chunk of exporting) exported += chunk.length;
    assert.ok(exported > 200 * 4096, `the export read the whole tree (${exported} bytes)`);
    assert.equal(calls.mountedNow, false, 'unmounted once the last user finished');
    assert.equal(calls.unmounted, 1);
  } finally {
    cleanup();
  }
});
