import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetContainer, FleetContainerUsage } from '@stevedore/shared';
import { FakeFleet } from '../../testing/fake-fleet';
import { fleetContainer } from '../../testing/fleet-container';
import { readFirstScreen } from './container-first-screen';

const row = (hostId: string, name: string): FleetContainer => fleetContainer(hostId, name);
const busy: FleetContainerUsage = { cpuPercent: 5, memoryUsage: 10, memoryLimit: 100, rxRate: 0, txRate: 0 };

/** A stand-in for the fleet service: a snapshot of what it holds on each watch, then what is pushed. */
class LoadingFleet extends FakeFleet {
  /** A host's first list came: kept in host order (as the service's snapshot is), pushed as rows. */
  hostLoaded(rows: FleetContainer[], order: string[]): void {
    this.rows = [...this.rows, ...rows].sort((a, b) => order.indexOf(a.hostId) - order.indexOf(b.hostId));
    this.loadingHosts--;
    for (const push of this.pushes)
      push({ kind: 'rows', upserts: rows, removed: [], loadingHosts: this.loadingHosts });
  }
}

test('a warm list: one snapshot, the first rows in its order with only their usage, and the counts', async () => {
  const fleet = new LoadingFleet();
  fleet.rows = [row('a', 'one'), row('a', 'two'), row('b', 'three')];
  fleet.usage = { 'a/one': busy, 'b/three': busy };
  const screen = await readFirstScreen(fleet, undefined, 2);
  assert.deepEqual(
    screen.rows.map((r) => r.key),
    ['a/one', 'a/two'],
  );
  assert.deepEqual(screen.usage, { 'a/one': busy });
  assert.equal(screen.total, 3);
  assert.equal(screen.hosts, 2);
  assert.equal(screen.loadingHosts, 0);
  assert.equal(fleet.watches, 1);
  assert.equal(fleet.pushes.size, 0, 'the watch is ended');
});

test('a cold list: waits for the hosts, then takes a fresh snapshot in host order, not arrival order', async () => {
  const fleet = new LoadingFleet();
  fleet.loadingHosts = 2;
  const reading = readFirstScreen(fleet, undefined, 10, 5_000);
  await new Promise((resolve) => setTimeout(resolve, 10));
  fleet.hostLoaded([row('b', 'late')], ['a', 'b']);
  fleet.hostLoaded([row('a', 'early')], ['a', 'b']);
  const screen = await reading;
  assert.deepEqual(
    screen.rows.map((r) => r.key),
    ['a/early', 'b/late'],
  );
  assert.equal(screen.loadingHosts, 0);
  assert.equal(fleet.watches, 3);
  assert.equal(fleet.pushes.size, 0, 'every watch is ended');
});

test('a host that does not answer holds the page for the wait only; it is counted as loading', async () => {
  const fleet = new LoadingFleet();
  fleet.loadingHosts = 2;
  const reading = readFirstScreen(fleet, undefined, 10, 100);
  await new Promise((resolve) => setTimeout(resolve, 10));
  fleet.hostLoaded([row('a', 'one')], ['a', 'b']);
  const screen = await reading;
  assert.deepEqual(
    screen.rows.map((r) => r.key),
    ['a/one'],
  );
  assert.equal(screen.loadingHosts, 1);
  assert.equal(fleet.pushes.size, 0, 'every watch is ended');
});
