import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerStats, ContainerSummary, FleetUsageDelta } from '@stevedore/shared';
import { fleetRowOf, reachableAddress, sameRow, UsageTracker } from './container-fleet-rows';

const stats = (id: string, at: number, over: Partial<ContainerStats> = {}): ContainerStats => ({
  id,
  name: id,
  read: new Date(at).toISOString(),
  cpuPercent: 12.34,
  memoryUsage: 1000,
  memoryLimit: 4000,
  memoryPercent: 25,
  networkRx: 0,
  networkTx: 0,
  blockRead: 0,
  blockWrite: 0,
  pids: 1,
  ...over,
});

test('the first batch sends whole usage; later ones only the fields that changed, with rates from counters', () => {
  const tracker = new UsageTracker((id) => `h/${id}`);
  const first: FleetUsageDelta = {};
  tracker.apply([stats('a', 0, { networkRx: 1000 })], first);
  assert.deepEqual(first, {
    'h/a': { cpuPercent: 12.3, memoryUsage: 1000, memoryLimit: 4000, rxRate: 0, txRate: 0 },
  });
  const second: FleetUsageDelta = {};
  tracker.apply([stats('a', 2000, { networkRx: 5000 })], second);
  assert.deepEqual(second, { 'h/a': { rxRate: 2000 } });
  const third: FleetUsageDelta = {};
  tracker.apply([stats('a', 3000, { networkRx: 5000 })], third);
  assert.deepEqual(third, { 'h/a': { rxRate: 0 } });
  const before = tracker.current().get('h/a');
  const unchanged: FleetUsageDelta = {};
  tracker.apply([stats('a', 4000, { networkRx: 5000 })], unchanged);
  assert.deepEqual(unchanged, {});
  assert.equal(tracker.current().get('h/a'), before, 'nothing changed: the same usage object');
});

test('a container no longer sampled is sent as null, and a counter reset gives rate 0, not a negative one', () => {
  const tracker = new UsageTracker((id) => `h/${id}`);
  tracker.apply([stats('a', 0, { networkTx: 900 }), stats('b', 0)], {});
  const delta: FleetUsageDelta = {};
  tracker.apply([stats('a', 1000, { networkTx: 100 })], delta);
  assert.deepEqual(delta, { 'h/b': null });
  assert.equal(tracker.current().get('h/a')?.txRate, 0);
  assert.equal(tracker.current().has('h/b'), false);
});

test('deltas of two batches before a flush merge per row', () => {
  const tracker = new UsageTracker((id) => `h/${id}`);
  tracker.apply([stats('a', 0)], {});
  const delta: FleetUsageDelta = {};
  tracker.apply([stats('a', 1000, { cpuPercent: 50 })], delta);
  tracker.apply([stats('a', 2000, { cpuPercent: 50, memoryUsage: 2000 })], delta);
  assert.deepEqual(delta, { 'h/a': { cpuPercent: 50, memoryUsage: 2000 } });
});

const summary: ContainerSummary = {
  Id: 'c'.repeat(64),
  Names: ['/web'],
  Image: 'busybox',
  ImageID: 'sha256:x',
  Command: 'sh',
  Created: 100,
  State: 'running',
  Status: 'Up 5 seconds (healthy)',
  Labels: { app: 'web' },
  Ports: [
    { PrivatePort: 80, PublicPort: 8080, Type: 'tcp', IP: '0.0.0.0' },
    { PrivatePort: 443, Type: 'tcp' },
  ],
  Mounts: [],
  StartedAt: '2026-01-01T00:00:00Z',
};

test('a row keeps published ports only, the health from the status, and the address the browser can reach', () => {
  const host = { id: 'h1', name: 'one', transport: 'tls' as const, address: 'https://node-1.example:2376' };
  const row = fleetRowOf(host, summary);
  assert.equal(row.key, `h1/${'c'.repeat(64)}`);
  assert.equal(row.name, 'web');
  assert.equal(row.health, 'healthy');
  assert.equal(row.hostAddress, 'node-1.example');
  assert.deepEqual(row.ports, [{ ip: '0.0.0.0', publicPort: 8080, privatePort: 80, type: 'tcp' }]);
  assert.equal(fleetRowOf(host, { ...summary, StartedAt: '0001-01-01T00:00:00Z' }).startedAt, null);
  assert.equal(reachableAddress({ transport: 'unix', address: 'unix:///run/s.sock' }), null);
  assert.equal(
    reachableAddress({ transport: 'ssh', address: 'ssh://root@10.1.2.3:22/run/s.sock' }),
    '10.1.2.3',
  );
});

test('a row differing only in its status wording is the same row; a state change is not', () => {
  const host = { id: 'h1', name: 'one', transport: 'unix' as const, address: 'unix:///s' };
  const a = fleetRowOf(host, summary);
  assert.ok(sameRow(a, fleetRowOf(host, { ...summary, Status: 'Up 6 seconds (healthy)' })));
  assert.ok(!sameRow(a, fleetRowOf(host, { ...summary, State: 'paused', Status: 'Up 6 seconds (Paused)' })));
});
