import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FleetChange, FleetWatchers } from './container-fleet-watchers.js';

function recorder(hostId: string | undefined) {
  const got: FleetChange[] = [];
  return { hostId, got, push: (update: FleetChange) => got.push(update) };
}

/** A watcher of the whole fleet and one of each of two hosts, all added. */
function watching(first: string, second: string) {
  const watchers = new FleetWatchers();
  const fleet = recorder(undefined);
  const hosts = [recorder(first), recorder(second)] as const;
  for (const watcher of [fleet, ...hosts]) watchers.add(watcher);
  return { watchers, fleet, hosts };
}

const usage = (cpu: number) => ({ cpuPercent: cpu, memoryUsage: 1, memoryLimit: 2, rxRate: 0, txRate: 0 });

test('a fleet-wide watcher gets every usage figure; a host page only its own, and nothing when none', () => {
  const {
    watchers,
    fleet,
    hosts: [a, c],
  } = watching('a', 'c');
  const delta = { 'a/1': usage(1), 'b/1': usage(2), 'a/2': null };
  watchers.publishUsage(delta);
  assert.deepEqual(fleet.got, [{ kind: 'usage', usage: delta }]);
  assert.deepEqual(a.got, [{ kind: 'usage', usage: { 'a/1': usage(1), 'a/2': null } }]);
  assert.deepEqual(c.got, []);
  watchers.publishUsage({});
  assert.equal(fleet.got.length, 1);
});

test("rows go to whoever shows the host; first rows carry each watcher's own loading count", () => {
  const {
    watchers,
    fleet,
    hosts: [a, b],
  } = watching('a', 'b');
  watchers.publish('a', { kind: 'rows', upserts: [], removed: ['a/1'] });
  assert.equal(fleet.got.length, 1);
  assert.equal(a.got.length, 1);
  assert.equal(b.got.length, 0);
  watchers.publishFirstRows('b', [], [], (hostId) => (hostId ? 0 : 7));
  assert.deepEqual(fleet.got[1], { kind: 'rows', upserts: [], removed: [], loadingHosts: 7 });
  assert.deepEqual(b.got[0], { kind: 'rows', upserts: [], removed: [], loadingHosts: 0 });
  assert.equal(a.got.length, 1);
});

test('which hosts are wanted, and whether a new watcher widens what is read', () => {
  const watchers = new FleetWatchers();
  assert.equal(watchers.wanted('a'), false);
  const a = recorder('a');
  watchers.add(a);
  assert.equal(watchers.wanted('a'), true);
  assert.equal(watchers.wanted('b'), false);
  assert.equal(watchers.wantedBefore('a'), true);
  assert.equal(watchers.wantedBefore(undefined), false);
  watchers.add(recorder(undefined));
  assert.equal(watchers.wanted('b'), true);
  assert.equal(watchers.wantedBefore(undefined), true);
  watchers.delete(a);
  assert.equal(watchers.size, 1);
});
