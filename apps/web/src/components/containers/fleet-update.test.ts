import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetContainer, FleetContainerUsage } from '@stevedore/shared';
import { applyFleetUpdate } from './fleet-update';

const row = (key: string, state: FleetContainer['state'] = 'running'): FleetContainer => ({
  key,
  hostId: 'h',
  hostName: 'h',
  hostAddress: null,
  id: key.split('/')[1] ?? key,
  name: key,
  image: 'busybox',
  state,
  health: null,
  status: '',
  created: 0,
  startedAt: null,
  ports: [],
  labels: {},
});
const usage: FleetContainerUsage = { cpuPercent: 1, memoryUsage: 2, memoryLimit: 3, rxRate: 4, txRate: 5 };

test('a snapshot replaces everything; row deltas upsert and remove, dropping the usage of removed rows', () => {
  const rows = new Map<string, FleetContainer>([['old', row('old')]]);
  const kept = new Map<string, FleetContainerUsage>([['old', usage]]);
  applyFleetUpdate(rows, kept, {
    kind: 'snapshot',
    rows: [row('h/a'), row('h/b')],
    usage: { 'h/a': usage },
    loadingHosts: 0,
  });
  assert.deepEqual([...rows.keys()], ['h/a', 'h/b']);
  assert.deepEqual([...kept.keys()], ['h/a']);
  applyFleetUpdate(rows, kept, {
    kind: 'rows',
    upserts: [row('h/b', 'exited'), row('h/c')],
    removed: ['h/a'],
  });
  assert.deepEqual([...rows.keys()], ['h/b', 'h/c']);
  assert.equal(rows.get('h/b')?.state, 'exited');
  assert.equal(kept.size, 0);
});

test('usage deltas merge changed fields, null removes, and a partial change without a full base is dropped', () => {
  const rows = new Map<string, FleetContainer>();
  const kept = new Map<string, FleetContainerUsage>([['h/a', usage]]);
  applyFleetUpdate(rows, kept, {
    kind: 'usage',
    usage: { 'h/a': { cpuPercent: 50 }, 'h/b': { cpuPercent: 9 }, 'h/c': usage },
  });
  assert.deepEqual(kept.get('h/a'), { ...usage, cpuPercent: 50 });
  assert.equal(kept.has('h/b'), false);
  assert.deepEqual(kept.get('h/c'), usage);
  applyFleetUpdate(rows, kept, { kind: 'usage', usage: { 'h/a': null } });
  assert.equal(kept.has('h/a'), false);
});

test('uptime in a table cell is short', async () => {
  const { compactDuration } = await import('./container-cells');
  assert.deepEqual(
    [45_000, 12 * 60_000, (5 * 60 + 3) * 60_000, (3 * 24 + 4) * 3_600_000].map(compactDuration),
    ['45s', '12m', '5h 3m', '3d 4h'],
  );
});
