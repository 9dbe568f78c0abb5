import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetContainer, FleetContainerUsage } from '@stevedore/shared';
import { FakeFleet } from '../../testing/fake-fleet';
import { fleetContainer } from '../../testing/fleet-container';
import { readFirstScreen } from './container-first-screen';

const row = (hostId: string, name: string): FleetContainer => fleetContainer(hostId, name);
const busy: FleetContainerUsage = { cpuPercent: 5, memoryUsage: 10, memoryLimit: 100, rxRate: 0, txRate: 0 };

/** A host's first list came, as the service tells it: its rows, and one host fewer loading. */
function hostLoaded(fleet: FakeFleet, rows: FleetContainer[]): void {
  fleet.push({ kind: 'rows', upserts: rows, removed: [], loadingHosts: fleet.loadingHosts() - 1 });
}

test('a warm list: the first rows in its order with only their usage, and the counts', async () => {
  const fleet = new FakeFleet();
  fleet.setRows([row('b', 'three'), row('a', 'two'), row('a', 'one')]);
  fleet.setUsage({ 'a/one': busy, 'b/three': busy });
  const screen = await readFirstScreen(fleet, undefined, 2);
  assert.deepEqual(
    screen.rows.map((r) => r.key),
    ['a/one', 'a/two'],
  );
  assert.deepEqual(screen.usage, { 'a/one': busy });
  assert.equal(screen.total, 3);
  assert.equal(screen.hosts, 2);
  assert.equal(screen.loadingHosts, 0);
  assert.equal(fleet.follows, 1);
  assert.equal(fleet.pushes.size, 0, 'the watch is ended');
});

test('a cold list: waits for the hosts, then reads them in host order, not arrival order', async () => {
  const fleet = new FakeFleet();
  fleet.loading = 2;
  const reading = readFirstScreen(fleet, undefined, 10, 5_000);
  await new Promise((resolve) => setTimeout(resolve, 10));
  hostLoaded(fleet, [row('b', 'late')]);
  hostLoaded(fleet, [row('a', 'early')]);
  const screen = await reading;
  assert.deepEqual(
    screen.rows.map((r) => r.key),
    ['a/early', 'b/late'],
  );
  assert.equal(screen.loadingHosts, 0);
  assert.equal(fleet.pushes.size, 0, 'the watch is ended');
});

test('a host that does not answer holds the page for the wait only; it is counted as loading', async () => {
  const fleet = new FakeFleet();
  fleet.loading = 2;
  const started = Date.now();
  const reading = readFirstScreen(fleet, undefined, 10, 100);
  await new Promise((resolve) => setTimeout(resolve, 10));
  hostLoaded(fleet, [row('a', 'one')]);
  const screen = await reading;
  assert.ok(Date.now() - started >= 90, 'it waited for the other host');
  assert.deepEqual(
    screen.rows.map((r) => r.key),
    ['a/one'],
  );
  assert.equal(screen.loadingHosts, 1);
  assert.equal(fleet.pushes.size, 0, 'the watch is ended');
});
