import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetEvent, HostStatus, HostSummary } from '@stevedore/shared';
import { KeptLists } from './container-fleet-kept-lists.js';
import { hostRowsOf } from './container-fleet-order.js';

const host = (id: string, name = `box-${id}`): HostSummary => ({
  id,
  name,
  transport: 'unix',
  address: `unix:///run/${id}.sock`,
  labels: {},
  sshHostKey: null,
  status: { hostId: id, state: 'online', lastError: null, lastSeen: null },
});

function tracked() {
  let onStatus: (status: HostStatus) => void = () => {};
  let onEvent: (event: FleetEvent) => void = () => {};
  const kept = new KeptLists(
    {
      onStatus: (listener) => {
        onStatus = listener;
        return () => {};
      },
    },
    {
      onEvent: (listener) => {
        onEvent = listener;
        return () => {};
      },
    },
  );
  const keepEmpty = (summary: HostSummary) =>
    kept.keep(summary, hostRowsOf(summary.id, summary.name, []), kept.version(summary.id));
  return {
    kept,
    keepEmpty,
    status: (s: HostStatus) => onStatus(s),
    event: (e: unknown) => onEvent(e as FleetEvent),
  };
}

test('a kept list is current until its host has a container event, disconnects or is edited', () => {
  const { kept, keepEmpty, status, event } = tracked();
  for (const id of ['h1', 'h2', 'h3', 'h4']) keepEmpty(host(id));
  assert.ok(kept.current(host('h1')));

  event({ type: 'container', hostId: 'h1' });
  event({ type: 'image', hostId: 'h2' });
  assert.equal(kept.current(host('h1')), null, 'a container event');
  assert.ok(kept.current(host('h2')), 'an image event changes no container list');

  status({ hostId: 'h2', state: 'degraded', lastError: 'slow', lastSeen: null });
  assert.ok(kept.current(host('h2')), 'degraded is still connected: its events still arrive');
  status({ hostId: 'h2', state: 'offline', lastError: 'gone', lastSeen: null });
  assert.equal(kept.current(host('h2')), null, 'a disconnect');

  assert.equal(kept.current(host('h3', 'renamed')), null, 'its rows carry the old name');
  assert.ok(kept.current(host('h3')));

  // A read that started before an event is not current once it lands.
  const before = kept.version('h4');
  event({ type: 'container', hostId: 'h4' });
  kept.keep(host('h4'), hostRowsOf('h4', 'box-h4', []), before);
  assert.equal(kept.current(host('h4')), null);

  kept.outdateAll();
  assert.equal(kept.current(host('h3')), null, 'every list, after a gap in the events');
  kept.retain(new Set(['h1']));
  assert.deepEqual(kept.last('h3'), [], 'a removed host is forgotten');
});
