import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isStevedoreError } from '@stevedore/shared';
import { ContentStore } from './content-store.js';

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
async function* chunks(data: Buffer, size = 7) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('content store', () => {
  let root: string;
  let store: ContentStore;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'stevedore-content-'));
    store = new ContentStore(root);
    await store.init();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const ingestIsEmpty = () => assert.deepEqual(readdirSync(join(root, 'ingest')), []);

  test('stores verified blobs by digest and reads them back', async () => {
    const data = Buffer.from('hello layer '.repeat(100));
    const digest = digestOf(data);
    assert.deepEqual(await store.write(digest, chunks(data), data.length), { digest, size: data.length });
    await store.flush();
    assert.equal(readFileSync(store.pathOf(digest)).toString(), data.toString());
    assert.deepEqual(await store.info(digest), { digest, size: data.length });
    const back: Buffer[] = [];
    for await (const chunk of store.read(digest)) back.push(chunk as Buffer);
    assert.ok(Buffer.concat(back).equals(data));
    ingestIsEmpty();
  });

  test('a written blob is served before it is durable, and lands in blobs/ once it is', async () => {
    const data = Buffer.alloc(3 << 20, 'layer bytes ');
    const digest = digestOf(data);
    await store.write(digest, chunks(data, 64 * 1024), data.length);
    // Right after write: known, sized and readable, from the ingest file or the blob, whichever
    // it is now; a reader opened before the rename reads on across it.
    assert.equal(await store.has(digest), true);
    assert.deepEqual(await store.info(digest), { digest, size: data.length });
    const reader = store.read(digest);
    await store.flush();
    const back: Buffer[] = [];
    for await (const chunk of reader) back.push(chunk as Buffer);
    assert.ok(Buffer.concat(back).equals(data));
    assert.ok(readFileSync(store.pathOf(digest)).equals(data));
    ingestIsEmpty();
  });

  test('a digest mismatch is refused and nothing is kept', async () => {
    const data = Buffer.from('real content');
    const claimed = digestOf(Buffer.from('other content'));
    await assert.rejects(
      store.write(claimed, chunks(data)),
      (error: unknown) => isStevedoreError(error) && /digest mismatch: expected sha256:/.test(error.message),
    );
    assert.equal(await store.has(claimed), false);
    ingestIsEmpty();
  });

  test('a size mismatch is refused', async () => {
    const data = Buffer.from('twelve bytes');
    await assert.rejects(store.write(digestOf(data), chunks(data), 5), /larger than the 5 bytes/);
    await assert.rejects(store.write(digestOf(data), chunks(data), 50), /has 12 bytes, expected 50/);
    ingestIsEmpty();
  });

  test('two writers of one digest both succeed and leave one whole blob', async () => {
    const data = Buffer.alloc(256 * 1024, 7);
    const digest = digestOf(data);
    await Promise.all([store.write(digest, chunks(data, 4096)), store.write(digest, chunks(data, 1000))]);
    await store.flush();
    assert.ok(readFileSync(store.pathOf(digest)).equals(data));
    ingestIsEmpty();
  });

  test('malformed digests are refused before touching the disk', async () => {
    await assert.rejects(
      store.write('sha256:../../etc/passwd', chunks(Buffer.from('x'))),
      /unsupported digest/,
    );
    assert.throws(() => store.pathOf('md5:abc'), /unsupported digest/);
  });

  test('init removes ingest leftovers of a crash', async () => {
    writeFileSync(join(root, 'ingest', 'partial.abc'), 'half a layer');
    await store.init();
    ingestIsEmpty();
  });
});
