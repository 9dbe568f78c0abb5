import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetContainer } from '@stevedore/shared';
import { fleetContainer } from '../../testing/fleet-container';
import { defaultOrder, FleetOrder, hostRowsOf } from './container-fleet-order';

const row = (hostId: string, hostName: string, name: string, extra: Partial<FleetContainer> = {}) =>
  fleetContainer(hostId, name, { hostName, ...extra });
const keys = (rows: readonly FleetContainer[]) => rows.map((r) => r.key);

test('the whole list is the hosts in name order, each host’s rows in name order (numbers in order)', () => {
  const order = new FleetOrder();
  order.set(hostRowsOf('h2', 'web', [row('h2', 'web', 'app-10'), row('h2', 'web', 'app-2')]));
  order.set(hostRowsOf('h1', 'db', [row('h1', 'db', 'pg')]));
  // Two hosts of the same name: each host's rows stay together (by id), as `defaultOrder` has it.
  order.set(hostRowsOf('h0', 'WEB', [row('h0', 'WEB', 'app-1')]));
  const all = order.rows(undefined);
  assert.deepEqual(keys(all), ['h1/pg', 'h0/app-1', 'h2/app-2', 'h2/app-10']);
  assert.deepEqual(keys([...all].reverse().sort(defaultOrder)), keys(all), 'the same order as defaultOrder');
  assert.deepEqual(keys(order.rows('h2')), ['h2/app-2', 'h2/app-10']);
  assert.deepEqual(order.rows('nope'), []);
});

test('the list is a new array after a change and the same one until then; the choices likewise', () => {
  const order = new FleetOrder();
  order.set(hostRowsOf('a', 'a', [row('a', 'a', 'one', { labels: { tier: 'web' } })]));
  order.set(hostRowsOf('b', 'b', [row('b', 'b', 'two', { image: 'nginx' })]));
  const rows = order.rows(undefined);
  const facets = order.facets(undefined);
  assert.equal(order.rows(undefined), rows);
  assert.equal(order.facets(undefined), facets);
  assert.deepEqual(facets, {
    hosts: [
      ['a', 'a'],
      ['b', 'b'],
    ],
    images: ['busybox', 'nginx'],
    labels: ['tier=web'],
  });

  // A state change: new rows, the same choices (the filter bar is not sent again).
  order.set(hostRowsOf('a', 'a', [row('a', 'a', 'one', { labels: { tier: 'web' }, state: 'exited' })]));
  assert.notEqual(order.rows(undefined), rows);
  assert.equal(rows[0]?.state, 'running', 'a reader’s kept array is as it was');
  assert.equal(order.facets(undefined), facets);

  // A new label, and a host left without rows: the choices follow.
  order.set(hostRowsOf('a', 'a', [row('a', 'a', 'one', { labels: { tier: 'db' } })]));
  order.set(hostRowsOf('b', 'b', []));
  assert.deepEqual(order.facets(undefined), {
    hosts: [['a', 'a']],
    images: ['busybox'],
    labels: ['tier=db'],
  });
  assert.deepEqual(order.facets('a').hosts, [['a', 'a']]);
  order.delete('a');
  assert.deepEqual(order.rows(undefined), []);
  assert.deepEqual(order.facets(undefined), { hosts: [], images: [], labels: [] });
});
