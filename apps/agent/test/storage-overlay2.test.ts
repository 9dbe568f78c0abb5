import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pack } from 'tar-stream';
import { applyLayer } from '../src/storage/extract/apply-layer.js';
import { chainIdOf, Overlay2Store } from '../src/storage/overlay2/layer-store.js';
import { execFile } from '../src/util/exec.js';

async function tarOf(entries: { name: string; content?: string; type?: 'directory' }[]): Promise<Buffer> {
  const archive = pack();
  const parts: Buffer[] = [];
  archive.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const { content, ...header } of entries) archive.entry(header, content ?? '');
  archive.finalize();
  await done;
  return Buffer.concat(parts);
}

describe('overlay2 store with real overlay mounts', () => {
  let root: string;
  let store: Overlay2Store;
  const mounted: string[] = [];
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'stevedore-overlay2-'));
    store = new Overlay2Store(join(root, 'overlay2'));
    await store.init();
  });
  after(async () => {
    for (const id of mounted) await store.unmountContainerLayer(id).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  });

  async function addLayer(parent: string | null, entries: Parameters<typeof tarOf>[0]) {
    const tar = await tarOf(entries);
    const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
    const chainId = chainIdOf(parent, diffId);
    await store.createLayer(chainId, parent, async (diffDir) => {
      const applied = await applyLayer(Readable.from(tar), diffDir);
      assert.equal(applied.diffId, diffId);
    });
    return chainId;
  }

  test('a container sees the merged image: whiteouts hide, opaque dirs reset, writes go to its own layer', async () => {
    const base = await addLayer(null, [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/keep.conf', content: 'keep' },
      { name: 'etc/removed.conf', content: 'gone soon' },
      { name: 'var/cache/', type: 'directory' },
      { name: 'var/cache/old-1', content: '1' },
      { name: 'var/cache/old-2', content: '2' },
    ]);
    const top = await addLayer(base, [
      { name: 'etc/.wh.removed.conf' },
      { name: 'var/cache/.wh..wh..opq' },
      { name: 'var/cache/new', content: 'new' },
      { name: 'etc/keep.conf', content: 'changed' },
    ]);
    const overlay = join(root, 'overlay2');
    const topId = top.slice('sha256:'.length);
    assert.match(readFileSync(join(overlay, topId, 'lower'), 'utf8'), /^l\/[A-Z2-7]{26}$/);
    const short = readFileSync(join(overlay, topId, 'link'), 'utf8');
    assert.equal(readlinkSync(join(overlay, 'l', short)), `../${topId}/diff`);

    const containerId = `${'c0ffee'.repeat(10)}abcd`;
    await store.createContainerLayer(containerId, top);
    const merged = await store.mountContainerLayer(containerId);
    mounted.push(containerId);
    assert.equal(readFileSync(join(merged, 'etc/keep.conf'), 'utf8'), 'changed');
    assert.equal(existsSync(join(merged, 'etc/removed.conf')), false, 'whiteout hides the lower file');
    assert.deepEqual(
      readdirSync(join(merged, 'var/cache')),
      ['new'],
      'opaque dir shows only the upper entries',
    );
    writeFileSync(join(merged, 'etc/written'), 'by the container');
    assert.equal(readFileSync(join(overlay, containerId, 'diff/etc/written'), 'utf8'), 'by the container');
    assert.equal(
      readFileSync(join(overlay, topId, 'diff/etc/keep.conf'), 'utf8'),
      'changed',
      'image layers untouched',
    );

    await store.unmountContainerLayer(containerId);
    mounted.pop();
    const mounts = await execFile('findmnt', ['-n', join(overlay, containerId, 'merged')]);
    assert.notEqual(mounts.code, 0, 'unmounted');
    await store.removeContainerLayer(containerId);
    assert.equal(existsSync(join(overlay, containerId)), false);
  });

  test('concurrent creation of one layer builds it once', async () => {
    let fills = 0;
    const chainId = `sha256:${'ab'.repeat(32)}`;
    await Promise.all(
      [1, 2, 3].map(() =>
        store.createLayer(chainId, null, async (diffDir) => {
          fills++;
          writeFileSync(join(diffDir, 'f'), 'x');
        }),
      ),
    );
    assert.equal(fills, 1);
    assert.equal(await store.has(chainId), true);
  });

  test('a failed build leaves nothing, and init removes crash leftovers', async () => {
    const chainId = `sha256:${'cd'.repeat(32)}`;
    await assert.rejects(
      store.createLayer(chainId, null, async () => {
        throw new Error('download broke');
      }),
      /download broke/,
    );
    assert.equal(await store.has(chainId), false);
    const leftover = join(root, 'overlay2', '.tmp-deadbeef-1234');
    writeFileSync(`${leftover}`, '');
    await store.init();
    assert.equal(existsSync(leftover), false);
  });
});
