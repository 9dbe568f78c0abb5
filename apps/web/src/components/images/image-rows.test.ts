import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageTableRows, splitRepoTag } from './image-rows';

test('a registry port is not a tag', () => {
  assert.deepEqual(splitRepoTag('127.0.0.1:5000/library/busybox:latest'), {
    repository: '127.0.0.1:5000/library/busybox',
    tag: 'latest',
  });
  assert.deepEqual(splitRepoTag('127.0.0.1:5000/library/busybox'), {
    repository: '127.0.0.1:5000/library/busybox',
    tag: '<none>',
  });
});

test('one row per name; an image without one is listed by its ID with its digest', () => {
  const rows = imageTableRows([
    {
      id: 'sha256:aaa',
      repoTags: ['r/a:1', 'r/a:2'],
      repoDigests: ['r/a@sha256:d1'],
      created: '2026-01-01T00:00:00Z',
      size: 1,
      usedBy: [],
    },
    {
      id: 'sha256:bbb',
      repoTags: [],
      repoDigests: ['r/b@sha256:d2'],
      created: '2026-01-01T00:00:00Z',
      size: 1,
      usedBy: [],
    },
  ]);
  assert.deepEqual(
    rows.map((r) => [r.repository, r.tag, r.reference, r.digest]),
    [
      ['r/a', '1', 'r/a:1', 'sha256:d1'],
      ['r/a', '2', 'r/a:2', 'sha256:d1'],
      ['r/b', '<none>', 'sha256:bbb', 'sha256:d2'],
    ],
  );
});
