import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostImageRow } from '@stevedore/shared';
import { mergeFleetImages } from './fleet-image-rows';

const image = (id: string, tags: string[], created: string, users = 0): HostImageRow => ({
  id,
  repoTags: tags,
  repoDigests: [],
  created,
  size: 10,
  usedBy: Array.from({ length: users }, (_, i) => ({ id: `c${i}`, name: `c${i}`, state: 'running' })),
});

test('one row per image ID with every host that has it and the names any host gives it', () => {
  const rows = mergeFleetImages([
    { hostId: 'h1', hostName: 'one', images: [image('sha256:a', ['a:1'], '2026-01-01T00:00:00Z', 2)] },
    {
      hostId: 'h2',
      hostName: 'two',
      images: [
        image('sha256:a', ['a:1', 'a:latest'], '2026-01-01T00:00:00Z'),
        image('sha256:b', [], '2026-02-01T00:00:00Z'),
      ],
    },
  ]);
  assert.deepEqual(
    rows.map((r) => r.id),
    ['sha256:b', 'sha256:a'],
  );
  assert.deepEqual(rows[1]?.repoTags, ['a:1', 'a:latest']);
  assert.deepEqual(rows[1]?.hosts, [
    { hostId: 'h1', hostName: 'one', containers: 2 },
    { hostId: 'h2', hostName: 'two', containers: 0 },
  ]);
});
