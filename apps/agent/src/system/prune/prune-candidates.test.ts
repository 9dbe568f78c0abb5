import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PruneInventory, pruneCandidates } from './prune-candidates.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW - days * DAY).toISOString();

const inventory: PruneInventory = {
  danglingImages: [
    { id: 'sha256:aaaaaaaaaaaaaaaa', created: daysAgo(10), uniqueBytes: 100, containers: 0 },
    { id: 'sha256:bbbbbbbbbbbbbbbb', created: daysAgo(1), uniqueBytes: 200, containers: 0 },
    { id: 'sha256:cccccccccccccccc', created: daysAgo(30), uniqueBytes: 300, containers: 1 },
  ],
  stoppedContainers: [
    { id: 'c1', name: 'old', created: (NOW - 40 * DAY) / 1000, finishedAt: daysAgo(8), bytes: 10 },
    { id: 'c2', name: 'recent', created: (NOW - 40 * DAY) / 1000, finishedAt: daysAgo(1), bytes: 20 },
    {
      id: 'c3',
      name: 'never-ran',
      created: (NOW - 9 * DAY) / 1000,
      finishedAt: '0001-01-01T00:00:00Z',
      bytes: 0,
    },
  ],
  volumes: [
    { name: 'used', links: 1, bytes: 5 },
    { name: 'orphan', links: 0, bytes: 7 },
  ],
};

test('each rule selects by its age; in-use images and mounted volumes never go', () => {
  const items = pruneCandidates(
    { danglingImagesDays: 7, stoppedContainersDays: 7, unusedVolumes: true },
    inventory,
    NOW,
  );
  assert.deepEqual(
    items.map((i) => `${i.kind}:${i.name}:${i.reason}`),
    [
      'image:aaaaaaaaaaaa:dangling, created 10 days ago',
      'container:old:stopped 8 days ago',
      'container:never-ran:stopped 9 days ago',
      'volume:orphan:no container uses it',
    ],
  );
});

test('rules set to never select nothing; volumes are off unless asked; 0 days takes all dangling', () => {
  assert.deepEqual(
    pruneCandidates(
      { danglingImagesDays: null, stoppedContainersDays: null, unusedVolumes: false },
      inventory,
      NOW,
    ),
    [],
  );
  const zero = pruneCandidates(
    { danglingImagesDays: 0, stoppedContainersDays: null, unusedVolumes: false },
    inventory,
    NOW,
  );
  assert.deepEqual(
    zero.map((i) => i.id),
    ['sha256:aaaaaaaaaaaaaaaa', 'sha256:bbbbbbbbbbbbbbbb'],
  );
});
