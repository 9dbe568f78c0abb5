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
const plain = { noTrunc: false, digests: false };

test('one row per tag, with the digest of its repository; Docker names and short IDs', () => {
  const rows = imageRows(
    image(
      ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1', 'reg:5000/app:v1'],
      [`docker.io/library/busybox@${DIGEST_1}`],
    ),
    plain,
  );
  assert.deepEqual(names(rows), [
    `busybox latest ${DIGEST_1}`,
    `busybox 1 ${DIGEST_1}`,
    'reg:5000/app v1 <none>',
  ]);
  assert.equal(rows[0]?.ID, 'ab'.repeat(6));
  assert.equal(rows[0]?.Size, '2.002MB');
  assert.equal(rows[0]?.CreatedAt, '2026-12-01 10:20:30 +0000 UTC');
  assert.equal(imageRows(image(['busybox:latest'], []), { ...plain, noTrunc: true })[0]?.ID, ID);
});

test('a repository known only by digest is a <none> tag; --digests gives each digest its row', () => {
  const untagged = image([], [`reg:5000/app@${DIGEST_1}`, `reg:5000/app@${DIGEST_2}`]);
  assert.deepEqual(names(imageRows(untagged, plain)), [`reg:5000/app <none> ${DIGEST_1}`]);
  assert.deepEqual(names(imageRows(untagged, { ...plain, digests: true })), [
    `reg:5000/app <none> ${DIGEST_1}`,
    `reg:5000/app <none> ${DIGEST_2}`,
  ]);
  const tagged = image(['reg:5000/app:v1'], [`reg:5000/app@${DIGEST_1}`, `reg:5000/app@${DIGEST_2}`]);
  assert.deepEqual(names(imageRows(tagged, { ...plain, digests: true })), [
    `reg:5000/app v1 ${DIGEST_1}`,
    `reg:5000/app v1 ${DIGEST_2}`,
  ]);
});

test('an image without names is <none> <none>', () => {
  assert.deepEqual(names(imageRows(image([], []), plain)), ['<none> <none> <none>']);
});
