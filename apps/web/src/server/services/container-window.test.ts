import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ContainerWindowUpdate,
  type FleetContainer,
  type FleetContainerUsage,
  NO_CONTAINER_FILTERS,
} from '@stevedore/shared';
import pino from 'pino';
import { FakeFleet } from '../../testing/fake-fleet';
import { fleetContainer } from '../../testing/fleet-container';
import { defaultOrder } from './container-fleet-order';
import { emptySent, fingerprintOf, keepsPlace, orderedRows, windowDelta } from './container-window';
import { ContainerWindowService } from './container-window-service';

const row = (hostName: string, name: string, extra: Partial<FleetContainer> = {}): FleetContainer =>
  fleetContainer(hostName, name, { id: `${name}-id`, ...extra });
const use = (cpuPercent: number): FleetContainerUsage => ({
  cpuPercent,
  memoryUsage: 10,
  memoryLimit: 100,
  rxRate: 0,
  txRate: 0,
});

test('the list is filtered and ordered on the server: host then name (numbers in order), or by a column', () => {
  // As the fleet service keeps them: in the list's own order.
  const rows = [
    row('b', 'web-10'),
    row('a', 'db', { image: 'postgres' }),
    row('b', 'web-2'),
    row('a', 'cache'),
  ].sort(defaultOrder);
  const names = (list: FleetContainer[]) => list.map((r) => r.key);
  assert.deepEqual(names(orderedRows(rows, new Map(), NO_CONTAINER_FILTERS, null)), [
    'a/cache',
    'a/db',
    'b/web-2',
    'b/web-10',
  ]);
  assert.deepEqual(names(orderedRows(rows, new Map(), { ...NO_CONTAINER_FILTERS, text: 'web' }, null)), [
    'b/web-2',
    'b/web-10',
  ]);
  assert.deepEqual(
    names(orderedRows(rows, new Map(), { ...NO_CONTAINER_FILTERS, image: 'postgres' }, null)),
    ['a/db'],
  );
  const usage = new Map([
    ['b/web-2', use(50)],
    ['a/db', use(5)],
  ]);
  // By CPU, descending: rows without usage last, in the list's own order.
  assert.deepEqual(names(orderedRows(rows, usage, NO_CONTAINER_FILTERS, { id: 'cpu', desc: true })), [
    'b/web-2',
    'a/db',
    'a/cache',
    'b/web-10',
  ]);
  assert.deepEqual(names(orderedRows(rows, usage, NO_CONTAINER_FILTERS, { id: 'name', desc: true })), [
    'b/web-10',
    'b/web-2',
    'a/db',
    'a/cache',
  ]);
});

test('a window delta sends the keys when they change, only rows the browser lacks, and usage changes of its rows', () => {
  const rows = Array.from({ length: 6 }, (_, i) => row('h', `c${i}`));
  const usage = new Map(rows.map((r) => [r.key, use(1)]));
  const sent = emptySent();
  const first = windowDelta(sent, rows.slice(0, 3), usage);
  assert.deepEqual(first.keys, ['h/c0', 'h/c1', 'h/c2']);
  assert.equal(first.rows.length, 3);
  assert.deepEqual(first.usage['h/c0'], use(1));
  // Nothing changed: nothing to send.
  assert.deepEqual(windowDelta(sent, rows.slice(0, 3), usage), { rows: [], usage: {} });
  // One figure changed, in and out of the window: only the window's, only the field.
  usage.set('h/c1', use(7));
  usage.set('h/c5', use(9));
  assert.deepEqual(windowDelta(sent, rows.slice(0, 3), usage), {
    rows: [],
    usage: { 'h/c1': { cpuPercent: 7 } },
  });
  // Scrolled by two: the two entering rows (whole, with their whole usage), not the one kept.
  const scrolled = windowDelta(sent, rows.slice(2, 5), usage);
  assert.deepEqual(scrolled.keys, ['h/c2', 'h/c3', 'h/c4']);
  assert.deepEqual(
    scrolled.rows.map((r) => r.key),
    ['h/c3', 'h/c4'],
  );
  assert.deepEqual(Object.keys(scrolled.usage), ['h/c3', 'h/c4']);
  // Back up: c1 comes again whole (the browser dropped it), with its usage as it is now.
  const back = windowDelta(sent, rows.slice(0, 3), usage);
  assert.deepEqual(
    back.rows.map((r) => r.key),
    ['h/c0', 'h/c1'],
  );
  assert.deepEqual(back.usage['h/c1'], use(7));
  // A changed row (a new object) is sent again; a stopped container's usage goes as null.
  const changed = { ...rows[0], state: 'exited' } as FleetContainer;
  usage.delete('h/c0');
  const after = windowDelta(sent, [changed, rows[1] as FleetContainer, rows[2] as FleetContainer], usage);
  assert.deepEqual(after.rows, [changed]);
  assert.deepEqual(after.usage, { 'h/c0': null });
});

async function nextUpdate(updates: AsyncGenerator<ContainerWindowUpdate>): Promise<ContainerWindowUpdate> {
  const { value } = await updates.next();
  assert.ok(value, 'the window subscription ended');
  return value;
}

test('a window subscription: first-screen rows not sent again, moved by scrolling and sorting, quiet for rows off screen', async () => {
  const fleet = new FakeFleet();
  const rows = Array.from({ length: 100 }, (_, i) => row('h', `c${String(i).padStart(3, '0')}`));
  fleet.setRows(rows);
  fleet.setUsage(Object.fromEntries(rows.map((r) => [r.key, use(1)])));
  const service = new ContainerWindowService(fleet, pino({ level: 'silent' }));
  const controller = new AbortController();
  const known = { 'h/c000': fingerprintOf(rows[0] as FleetContainer), 'h/c001': 'stale' };
  const updates = service.watch(
    'user-1',
    {
      windowId: 'window-one',
      view: { filters: NO_CONTAINER_FILTERS, sort: null, start: 0, end: 5, seq: 0 },
      known,
    },
    controller.signal,
  );
  try {
    const first = await nextUpdate(updates);
    assert.deepEqual(first.keys, ['h/c000', 'h/c001', 'h/c002', 'h/c003', 'h/c004']);
    // c000 came in the first screen unchanged; c001's fingerprint does not match: sent.
    assert.deepEqual(
      first.rows.map((r) => r.key),
      ['h/c001', 'h/c002', 'h/c003', 'h/c004'],
    );
    assert.equal(first.total, 100);
    assert.equal(first.matching, 100);
    assert.equal(first.facets?.hosts.length, 1);

    // Another user cannot move this window.
    assert.deepEqual(
      service.move('user-2', {
        windowId: 'window-one',
        view: { filters: NO_CONTAINER_FILTERS, sort: null, start: 50, end: 55, seq: 1 },
      }),
      { moved: false },
    );
    service.move('user-1', {
      windowId: 'window-one',
      view: { filters: NO_CONTAINER_FILTERS, sort: null, start: 50, end: 55, seq: 1 },
    });
    const scrolled = await nextUpdate(updates);
    assert.equal(scrolled.seq, 1);
    assert.equal(scrolled.start, 50);
    assert.deepEqual(scrolled.keys, ['h/c050', 'h/c051', 'h/c052', 'h/c053', 'h/c054']);
    assert.equal(scrolled.rows.length, 5);

    // A usage change off screen sends nothing; one on screen sends its field.
    fleet.push({ kind: 'usage', usage: { 'h/c090': { cpuPercent: 80 } } });
    fleet.push({ kind: 'usage', usage: { 'h/c051': { cpuPercent: 3 } } });
    const tick = await nextUpdate(updates);
    assert.equal(tick.keys, undefined);
    assert.deepEqual(tick.usage, { 'h/c051': { cpuPercent: 3 } });

    // Sorted by CPU: the busy container off screen comes to the top of the window at 0.
    service.move('user-1', {
      windowId: 'window-one',
      view: { filters: NO_CONTAINER_FILTERS, sort: { id: 'cpu', desc: true }, start: 0, end: 2, seq: 2 },
    });
    const sorted = await nextUpdate(updates);
    assert.deepEqual(sorted.keys, ['h/c090', 'h/c051']);
    // A filter counts the matching rows.
    service.move('user-1', {
      windowId: 'window-one',
      view: { filters: { ...NO_CONTAINER_FILTERS, text: 'c09' }, sort: null, start: 0, end: 20, seq: 3 },
    });
    const filtered = await nextUpdate(updates);
    assert.equal(filtered.matching, 10);
    assert.equal(filtered.total, 100);
    assert.equal(filtered.keys?.length, 10);

    const matching = await service.matching(
      { filters: { ...NO_CONTAINER_FILTERS, text: 'c09' } },
      (id) => id === 'h',
    );
    assert.equal(matching.length, 10);
    assert.equal((await service.matching({ filters: NO_CONTAINER_FILTERS }, () => false)).length, 0);
  } finally {
    controller.abort();
    await updates.return(undefined);
  }
});

test('the first screen of a page is the fleet’s rows in the list’s own order: no copy, the rows a window is sent', async () => {
  const fleet = new FakeFleet();
  // Out of order on purpose: the fleet keeps them in the list's order, host then name.
  fleet.setRows([row('b', 'web'), row('a', 'db2'), row('b', 'api'), row('a', 'db10'), row('a', 'cache')]);
  fleet.setUsage({ 'a/cache': use(5), 'b/web': use(7) });
  const service = new ContainerWindowService(fleet, pino({ level: 'silent' }));

  const cold = await service.firstScreen(undefined, 3, 0);
  assert.deepEqual(
    cold.rows.map((r) => r.key),
    ['a/cache', 'a/db2', 'a/db10'],
  );
  assert.equal(cold.rows[0], fleet.rows(undefined)[0], 'the fleet’s own row objects');
  assert.deepEqual(cold.usage, { 'a/cache': use(5) });
  assert.equal(cold.total, 5);
  assert.equal(cold.hosts, 2);
  assert.equal(cold.fingerprints['a/db2'], fingerprintOf(row('a', 'db2')));
  assert.equal(fleet.pushes.size, 0, 'the render’s watch is ended');

  const controller = new AbortController();
  const updates = service.watch(
    'user-1',
    {
      windowId: 'w',
      view: { filters: NO_CONTAINER_FILTERS, sort: null, start: 0, end: 2, seq: 0 },
      known: cold.fingerprints,
    },
    controller.signal,
  );
  try {
    const first = await nextUpdate(updates);
    assert.deepEqual(first.keys, ['a/cache', 'a/db2']);
    assert.deepEqual(first.rows, [], 'the first screen’s rows are not sent again');

    // A new container that sorts first: the window is sent it, and the next page has it.
    fleet.push({ kind: 'rows', upserts: [row('a', 'aaa')], removed: [] });
    const sent = await nextUpdate(updates);
    assert.deepEqual(sent.keys, ['a/aaa', 'a/cache']);
    const after = await service.firstScreen(undefined, 2);
    assert.deepEqual(
      after.rows.map((r) => r.key),
      ['a/aaa', 'a/cache'],
    );
    assert.equal(after.total, 6);

    // Another host's list.
    const hostB = await service.firstScreen('b', 3, 0);
    assert.deepEqual(
      hostB.rows.map((r) => r.key),
      ['b/api', 'b/web'],
    );
    assert.deepEqual(hostB.usage, { 'b/web': use(7) });
  } finally {
    controller.abort();
    await updates.return(undefined);
  }
});

test('a changed row keeps its place unless what the order or the filters read of it changed', () => {
  const before = row('h', 'web', { status: 'Up 1 minute' });
  const none = NO_CONTAINER_FILTERS;
  assert.equal(keepsPlace(before, { ...before, status: 'Up 2 minutes', state: 'exited' }, none, null), true);
  assert.equal(keepsPlace(before, { ...before, name: 'api' }, none, null), false);
  assert.equal(
    keepsPlace(before, { ...before, state: 'exited' }, { ...none, state: 'running' }, null),
    false,
  );
  assert.equal(keepsPlace(before, { ...before, state: 'exited' }, none, { id: 'state', desc: false }), false);
  assert.equal(
    keepsPlace(before, { ...before, status: 'Up 2 minutes' }, none, { id: 'state', desc: false }),
    true,
  );
  assert.equal(
    keepsPlace(before, { ...before, startedAt: '2026-12-06T00:00:00Z' }, none, { id: 'uptime', desc: false }),
    false,
  );
  assert.equal(keepsPlace(before, { ...before, state: 'paused' }, none, { id: 'cpu', desc: true }), true);
});

test('a sorted window takes a row that changed in place, and sorts again for one that moved', async () => {
  const fleet = new FakeFleet();
  fleet.setRows(Array.from({ length: 10 }, (_, i) => row('h', `c${i}`)));
  const service = new ContainerWindowService(fleet, pino({ level: 'silent' }));
  const controller = new AbortController();
  const updates = service.watch(
    'user-1',
    {
      windowId: 'w',
      view: { filters: NO_CONTAINER_FILTERS, sort: { id: 'name', desc: false }, start: 0, end: 3, seq: 0 },
      known: {},
    },
    controller.signal,
  );
  try {
    assert.deepEqual((await nextUpdate(updates)).keys, ['h/c0', 'h/c1', 'h/c2']);
    const stopped = row('h', 'c1', { state: 'exited', status: 'Exited (0)' });
    fleet.push({ kind: 'rows', upserts: [stopped], removed: [] });
    const inPlace = await nextUpdate(updates);
    assert.equal(inPlace.keys, undefined, 'the window’s rows are the same');
    assert.deepEqual(inPlace.rows, [stopped]);

    // Renamed past the window's end: the order is made again and the window shifts up.
    fleet.push({ kind: 'rows', upserts: [{ ...stopped, name: 'zz' }], removed: [] });
    assert.deepEqual((await nextUpdate(updates)).keys, ['h/c0', 'h/c2', 'h/c3']);
    fleet.push({ kind: 'rows', upserts: [], removed: ['h/c0'] });
    assert.deepEqual((await nextUpdate(updates)).keys, ['h/c2', 'h/c3', 'h/c4']);
  } finally {
    controller.abort();
    await updates.return(undefined);
  }
});
