import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetContainersUpdate } from '@stevedore/shared';
import { type FleetChange, FleetWatchers } from './container-fleet-watchers.js';

function recorder(hostId: string | undefined, figures = true) {
  const got: (FleetChange | FleetContainersUpdate)[] = [];
  return { hostId, figures, got, push: (update: FleetChange | FleetContainersUpdate) => got.push(update) };
}

/** A watcher of the whole fleet and one of each of two hosts, all added. */
function watching(first: string, second: string, figures = true) {
  const watchers = new FleetWatchers();
  const fleet = recorder(undefined, figures);
  const hosts = [recorder(first, figures), recorder(second, figures)] as const;
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
  assert.equal(watchers.wantFigures, true);
  const delta = { 'a/1': usage(1), 'b/1': usage(2), 'a/2': null };
  watchers.publishUsage(new Set(['a', 'b']), delta);
  assert.deepEqual(fleet.got, [{ kind: 'usage', usage: delta }]);
  assert.deepEqual(a.got, [{ kind: 'usage', usage: { 'a/1': usage(1), 'a/2': null } }]);
  assert.deepEqual(c.got, []);
  watchers.publishUsage(new Set(), {});
  assert.equal(fleet.got.length, 1);
});

test('watchers that read the figures themselves are told only that a host they show changed', () => {
  const {
    watchers,
    fleet,
    hosts: [a, c],
  } = watching('a', 'c', false);
  assert.equal(watchers.wantFigures, false, 'nobody wants the figures: the service does not gather them');
  watchers.publishUsage(new Set(['a', 'b']), {});
  assert.deepEqual(fleet.got, [{ kind: 'usage' }]);
  assert.deepEqual(a.got, [{ kind: 'usage' }]);
  assert.deepEqual(c.got, []);
  // One watcher with figures joins, and leaves: gathering follows it.
  const withFigures = recorder(undefined);
  watchers.add(withFigures);
  watchers.add(withFigures);
  assert.equal(watchers.wantFigures, true);
  watchers.delete(withFigures);
  assert.equal(watchers.wantFigures, false, 'added twice, deleted once: gone');
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
