import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isStevedoreError } from '@stevedore/shared';
import { pack } from 'tar-stream';
import { applyLayer } from '../src/storage/extract/apply-layer.js';

type Entry = Parameters<ReturnType<typeof pack>['entry']>[0] & { content?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const archive = pack();
  const parts: Buffer[] = [];
  archive.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const { content, ...header } of entries)
    archive.entry({ mtime: new Date('2026-02-03T04:05:06Z'), ...header }, content ?? '');
  archive.finalize();
  await done;
  return Buffer.concat(parts);
}

/** A valid zstd frame made of raw (stored) blocks: Node 20 has no zstd compressor, the format is simple. */
function zstdRawFrame(data: Buffer): Buffer {
  const blocks: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]; // magic, no flags, 128 KiB window
  const BLOCK = 128 * 1024;
  for (let offset = 0; offset < data.length || offset === 0; offset += BLOCK) {
    const chunk = data.subarray(offset, offset + BLOCK);
    const last = offset + BLOCK >= data.length ? 1 : 0;
    const header = (chunk.length << 3) | last; // block type 0 = raw
    blocks.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), chunk);
    if (last) break;
  }
  return Buffer.concat(blocks);
}

const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('layer extraction (real files, owners, devices, xattrs)', () => {
  let base: string;
  let outside: string;
  const layers: string[] = [];
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'stevedore-extract-'));
    outside = join(base, 'outside');
    mkdirSync(outside);
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const newLayer = () => {
    const dir = join(base, `layer-${layers.length}`);
    mkdirSync(dir);
    layers.push(dir);
    return dir;
  };
  const outsideUntouched = () =>
    assert.deepEqual(readdirSync(outside), [], 'nothing was written outside the layer');

  test('files, owners, setuid, sticky dirs, links, fifos and devices are kept; diff_id is the tar digest', async () => {
    const tar = await tarOf([
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/tool', mode: 0o4755, uid: 1000, gid: 1001, content: 'binary' },
      { name: 'bin/alias', type: 'symlink', linkname: 'tool' },
      { name: 'bin/hard', type: 'link', linkname: 'bin/tool' },
      { name: 'tmp/', type: 'directory', mode: 0o1777 },
      { name: 'dev/', type: 'directory' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'run/pipe', type: 'fifo', mode: 0o644 },
    ]);
    const root = newLayer();
    const applied = await applyLayer(Readable.from(gzipSync(tar)), root);
    assert.equal(applied.diffId, sha(tar));
    assert.equal(applied.size, tar.length);
    const tool = statSync(join(root, 'bin/tool'));
    assert.equal(tool.mode & 0o7777, 0o4755, 'setuid survives the chown');
    assert.deepEqual([tool.uid, tool.gid], [1000, 1001]);
    assert.equal(tool.mtime.toISOString(), '2026-02-03T04:05:06.000Z');
    assert.equal(readlinkSync(join(root, 'bin/alias')), 'tool');
    assert.equal(statSync(join(root, 'bin/hard')).ino, tool.ino, 'hardlink shares the inode');
    assert.equal(statSync(join(root, 'tmp')).mode & 0o7777, 0o1777);
    assert.equal(statSync(join(root, 'tmp')).mtime.toISOString(), '2026-02-03T04:05:06.000Z');
    const devnull = lstatSync(join(root, 'dev/null'));
    assert.ok(devnull.isCharacterDevice());
    assert.equal(devnull.rdev, (1 << 8) | 3);
    assert.ok(lstatSync(join(root, 'run/pipe')).isFIFO());
  });

  test('zstd and plain tar layers are recognized by their magic bytes', async () => {
    const tar = await tarOf([{ name: 'hello.txt', content: 'zstd world' }]);
    const blobs = [zstdRawFrame(tar), tar];
    // Real zstd compression too, when the zstd tool is installed (Debian's zstd package).
    const compressed = spawnSync('zstd', ['-q', '-c'], { input: tar });
    if (compressed.status === 0) blobs.push(compressed.stdout);
    for (const blob of blobs) {
      const root = newLayer();
      assert.equal((await applyLayer(Readable.from(blob), root)).diffId, sha(tar));
      assert.equal(readFileSync(join(root, 'hello.txt'), 'utf8'), 'zstd world');
    }
  });

  test('whiteouts become 0/0 character devices and opaque markers the overlay xattr', async () => {
    const root = newLayer();
    await applyLayer(
      Readable.from(
        await tarOf([
          { name: 'etc/.wh.removed.conf', content: '' },
          { name: 'var/cache/.wh..wh..opq', content: '' },
          { name: 'var/cache/fresh', content: 'new' },
        ]),
      ),
      root,
    );
    const whiteout = lstatSync(join(root, 'etc/removed.conf'));
    assert.ok(whiteout.isCharacterDevice());
    assert.equal(whiteout.rdev, 0);
    const xattr = execFileSync(
      'getfattr',
      ['--only-values', '-n', 'trusted.overlay.opaque', join(root, 'var/cache')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(xattr, 'y');
    assert.equal(readFileSync(join(root, 'var/cache/fresh'), 'utf8'), 'new');
  });

  test('an entry replaces an earlier one of another type (directory ↔ file)', async () => {
    const root = newLayer();
    await applyLayer(
      Readable.from(
        await tarOf([
          { name: 'thing/', type: 'directory' },
          { name: 'thing/inner', content: 'x' },
          { name: 'thing', content: 'now a file' },
          { name: 'other', content: 'a file first' },
          { name: 'other/', type: 'directory' },
        ]),
      ),
      root,
    );
    assert.equal(readFileSync(join(root, 'thing'), 'utf8'), 'now a file');
    assert.ok(statSync(join(root, 'other')).isDirectory());
  });

  const hostile: [string, Entry[], RegExp][] = [
    ['a ".." path', [{ name: '../outside/evil', content: 'x' }], /contains "\.\."/],
    ['a whiteout with traversal', [{ name: 'a/../../outside/.wh.x', content: '' }], /contains "\.\."/],
    [
      'an absolute symlink used as a parent',
      [
        { name: 'link', type: 'symlink', linkname: '/OUTSIDE' },
        { name: 'link/pwned', content: 'x' },
      ],
      /parent "link" is a symlink/,
    ],
    [
      'a relative symlink used as a parent',
      [
        { name: 'up', type: 'symlink', linkname: '../outside' },
        { name: 'up/pwned', content: 'x' },
      ],
      /parent "up" is a symlink/,
    ],
    [
      'a hardlink to a host file',
      [{ name: 'shadow', type: 'link', linkname: '/etc/shadow' }],
      /not in this layer/,
    ],
    [
      'a hardlink with traversal',
      [{ name: 'shadow', type: 'link', linkname: '../../etc/shadow' }],
      /contains "\.\."/,
    ],
    [
      'a hardlink through a symlinked directory',
      [
        { name: 'etcdir', type: 'symlink', linkname: '/etc' },
        { name: 'shadow', type: 'link', linkname: 'etcdir/shadow' },
      ],
      /parent "etcdir" is a symlink/,
    ],
  ];
  for (const [what, entries, why] of hostile) {
    test(`hostile layer refused: ${what}`, async () => {
      const resolved = entries.map((e) => ({ ...e, linkname: e.linkname?.replace('/OUTSIDE', outside) }));
      await assert.rejects(
        applyLayer(Readable.from(await tarOf(resolved)), newLayer()),
        (error: unknown) =>
          isStevedoreError(error) && error.code === 'INVALID_ARGUMENT' && why.test(error.message),
      );
      outsideUntouched();
    });
  }

  test('absolute entry names are confined to the layer, like Docker', async () => {
    const root = newLayer();
    await applyLayer(Readable.from(await tarOf([{ name: '/etc/confined', content: 'inside' }])), root);
    assert.equal(readFileSync(join(root, 'etc/confined'), 'utf8'), 'inside');
    outsideUntouched();
  });
});
