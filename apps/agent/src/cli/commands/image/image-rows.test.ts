import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageSummary } from '@stevedore/shared';
import { imageRows } from './image-rows.js';

const ID = `sha256:${'ab'.repeat(32)}`;
const DIGEST_1 = `sha256:${'11'.repeat(32)}`;
const DIGEST_2 = `sha256:${'22'.repeat(32)}`;
const image = (RepoTags: string[], RepoDigests: string[]): ImageSummary => ({
  Id: ID,
  RepoTags,
  RepoDigests,
  Created: '2026-12-01T10:20:30.123Z',
  Size: 2_002_000,
});
const names = (rows: ReturnType<typeof imageRows>) => rows.map((r) => `${r.Repository} ${r.Tag} ${r.Digest}`);
const plain = { noTrunc: false, digests: false, digestShown: false };
const shown = { ...plain, digestShown: true };

test('one row per tag (with the digest shown, of its repository); Docker names and short IDs', () => {
  const tags = ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1', 'reg:5000/app:v1'];
  const digested = [`docker.io/library/busybox@${DIGEST_1}`];
  assert.deepEqual(names(imageRows(image(tags, digested), plain)), [
    'busybox latest <none>',
    'busybox 1 <none>',
    'reg:5000/app v1 <none>',
  ]);
  const rows = imageRows(
    image(
      ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1', 'reg:5000/app:v1'],
      [`docker.io/library/busybox@${DIGEST_1}`],
    ),
    shown,
  );
  assert.deepEqual(names(rows), [
    `busybox latest ${DIGEST_1}`,
    `busybox 1 ${DIGEST_1}`,
    'reg:5000/app v1 <none>',
  ]);
  assert.equal(rows[0]?.ID, 'ab'.repeat(6));
  assert.equal(rows[0]?.Size, '2.002MB');
  assert.equal(rows[0]?.CreatedAt, '2026-12-01 10:20:30 +0000 UTC');
  assert.deepEqual(
    [rows[0]?.VirtualSize, rows[0]?.Containers, rows[0]?.SharedSize, rows[0]?.UniqueSize],
    ['2.002MB', 'N/A', 'N/A', 'N/A'],
  );
  assert.equal(imageRows(image(['busybox:latest'], []), { ...plain, noTrunc: true })[0]?.ID, ID);
});

test('a repository known only by digest is a <none> tag; --digests gives each digest its row', () => {
  const untagged = image([], [`reg:5000/app@${DIGEST_1}`, `reg:5000/app@${DIGEST_2}`]);
  assert.deepEqual(names(imageRows(untagged, plain)), ['reg:5000/app <none> ']);
  assert.deepEqual(names(imageRows(untagged, shown)), ['reg:5000/app <none> '], 'a format is not --digests');
  assert.deepEqual(names(imageRows(untagged, { ...shown, digests: true })), [
    `reg:5000/app <none> ${DIGEST_1}`,
    `reg:5000/app <none> ${DIGEST_2}`,
  ]);
  const tagged = image(['reg:5000/app:v1'], [`reg:5000/app@${DIGEST_1}`, `reg:5000/app@${DIGEST_2}`]);
  assert.deepEqual(names(imageRows(tagged, shown)), [
    `reg:5000/app v1 ${DIGEST_1}`,
    `reg:5000/app v1 ${DIGEST_2}`,
  ]);
});

test('an image without names is <none> <none>', () => {
  assert.deepEqual(names(imageRows(image([], []), plain)), ['<none> <none> <none>']);
});
