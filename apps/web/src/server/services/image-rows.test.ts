import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerSummary, ImageSummary } from '@stevedore/shared';
import { hostImageRows, prunePreview } from './image-rows';

const image = (id: string, tags: string[], size: number): ImageSummary => ({
  Id: id,
  RepoTags: tags,
  RepoDigests: [],
  Created: '2026-01-01T00:00:00Z',
  Size: size,
});
const container = (id: string, name: string, imageId: string): ContainerSummary => ({
  Id: id,
  Names: [`/${name}`],
  Image: 'x',
  ImageID: imageId,
  Command: 'sh',
  Created: 0,
  State: 'exited',
  Status: 'Exited (0)',
  Labels: {},
  Ports: [],
  Mounts: [],
});

test('each image lists the containers made from it, by name', () => {
  const rows = hostImageRows(
    [image('sha256:a', ['a:1'], 10), image('sha256:b', [], 20)],
    [container('c1', 'web', 'sha256:a'), container('c2', 'db', 'sha256:a')],
  );
  assert.deepEqual(
    rows[0]?.usedBy.map((u) => u.name),
    ['web', 'db'],
  );
  assert.deepEqual(rows[1]?.usedBy, []);
});

test('the prune preview takes unused dangling images, or every unused one with all', () => {
  const rows = hostImageRows(
    [
      image('sha256:a', ['a:1'], 10),
      image('sha256:b', [], 20),
      image('sha256:c', [], 5),
      image('sha256:d', ['d:1'], 7),
    ],
    [container('c1', 'web', 'sha256:c')],
  );
  const dangling = prunePreview(rows, false);
  assert.deepEqual(
    dangling.images.map((i) => i.id),
    ['sha256:b'],
  );
  assert.equal(dangling.bytes, 20);
  const all = prunePreview(rows, true);
  assert.deepEqual(
    all.images.map((i) => i.id),
    ['sha256:a', 'sha256:b', 'sha256:d'],
  );
  assert.equal(all.bytes, 37);
});
