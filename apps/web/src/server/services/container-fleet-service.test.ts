import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetContainersUpdate, FleetEvent, HostSummary } from '@stevedore/shared';
import pino from 'pino';
import type { AgentHub } from '../hub/agent-hub.js';
import { ContainerFleetService } from './container-fleet-service.js';

const host = (id: string): HostSummary => ({
  id,
  name: `box-${id}`,
  transport: 'unix',
  address: `unix:///run/${id}.sock`,
  labels: {},
  sshHostKey: null,
  status: { hostId: id, state: 'online', lastError: null, lastSeen: null },
});

/**
 * A hub whose hosts are all online; it records whose list and stats were read. Hosts have no
 * containers unless `list` says; `onStats` gets each stats stream's data handler.
 */
function fakeHub(
  listed: string[],
  streamed: string[] = [],
  more: {
    list?: (hostId: string) => Promise<unknown[]>;
    onStats?: (hostId: string, onData: (batch: unknown[]) => void) => void;
  } = {},
): AgentHub {
  return {
    onStatus: () => () => {},
    status: (hostId: string) => host(hostId).status,
    call: async (hostId: string, fn: (client: unknown) => Promise<unknown>) =>
      fn({
        containers: {
          list: {
            query: async () => {
              listed.push(hostId);
              return more.list ? more.list(hostId) : [];
            },
          },
          stats: {
            subscribe: (_input: unknown, handlers: { onData(batch: unknown[]): void }) => {
              streamed.push(hostId);
              more.onStats?.(hostId, handlers.onData);
              return { unsubscribe: () => {} };
            },
          },
        },
      }),
  } as unknown as AgentHub;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Container events to every listener (the service keeps one of its own besides its watchers'). */
function fakeEvents() {
  const listeners = new Set<(event: FleetEvent) => void>();
  return {
    onEvent(listener: (event: FleetEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event: { type: 'container'; hostId: string }) {
      for (const listener of listeners) listener(event as FleetEvent);
    },
  };
}

/** The list stops being kept 10 ms after its last watcher left. */
const SHORT_LINGER = { usageFlushMs: 1_000, eventDebounceMs: 5, reconcileMs: 60_000, lingerMs: 10 };

/**
 * Watches the whole list: what it holds at `ready` and once its hosts have answered; then leaves
 * it, past the linger (nobody watches, the streams stop).
 */
async function watchFleetOnce(service: ContainerFleetService) {
  const controller = new AbortController();
  const changes = service.changes(undefined, controller.signal);
  assert.deepEqual((await changes.next()).value, { kind: 'ready' });
  const keys = () => service.rows(undefined).map((row) => row.key);
  const atReady = { loading: service.loadingHosts(undefined), rows: keys() };
  await settle();
  const rowsAfter = keys();
  controller.abort();
  await changes.return(undefined);
  await settle();
  return { ...atReady, rowsAfter };
}

const summaryOf = (name: string) => ({
  Id: `${name}-id`,
  Names: [`/${name}`],
  Image: 'busybox',
  ImageID: 'sha256:x',
  Command: 'sh',
  Created: 1,
  State: 'running',
  Status: 'Up',
  Labels: { app: name },
  Ports: [],
  Mounts: [],
});

test("a host's watcher reads only its host; a fleet-wide watcher then reads the others", async () => {
  const listed: string[] = [];
  const streamed: string[] = [];
  const hub = fakeHub(listed, streamed);
  const service = new ContainerFleetService(
    { list: async () => ['h1', 'h2', 'h3'].map(host) },
    hub,
    { onEvent: () => () => {} },
    pino({ level: 'silent' }),
  );
  const one = new AbortController();
  const all = new AbortController();
  try {
    const hostPage = service.watch('h2', one.signal);
    const first = (await hostPage.next()).value as FleetContainersUpdate;
    assert.equal(first.kind, 'snapshot');
    await settle();
    assert.deepEqual(listed, ['h2']);
    assert.deepEqual(streamed, ['h2']);
    // The other hosts are not kept for it (not even as waiting for their first list).
    assert.equal(service.loadingHosts(undefined), 0);

    const fleetPage = service.watch(undefined, all.signal);
    const snapshot = (await fleetPage.next()).value as FleetContainersUpdate;
    assert.equal(snapshot.kind, 'snapshot');
    await settle();
    assert.deepEqual([...listed].sort(), ['h1', 'h2', 'h3']);
    assert.deepEqual([...streamed].sort(), ['h1', 'h2', 'h3']);
  } finally {
    one.abort();
    all.abort();
    service.close();
  }
});

test('a host that changed while nobody showed it is read again when a watcher of it comes', async () => {
  const listed: string[] = [];
  const events = fakeEvents();
  const hub = fakeHub(listed);
  const service = new ContainerFleetService(
    { list: async () => ['h1', 'h2'].map(host) },
    hub,
    events,
    pino({ level: 'silent' }),
  );
  try {
    const first = new AbortController();
    const watching = service.watch('h1', first.signal);
    await watching.next();
    await settle();
    assert.deepEqual(listed, ['h1']);
    // The page is left: the service lingers, and h1 changes while nobody shows it.
    first.abort();
    await watching.return(undefined);
    events.emit({ type: 'container', hostId: 'h1' });
    await settle();
    assert.deepEqual(listed, ['h1'], 'not read while nobody shows it');
    const again = new AbortController();
    const back = service.watch('h1', again.signal);
    await back.next();
    await settle();
    assert.deepEqual(listed, ['h1', 'h1'], 'read again for the new watcher');
    again.abort();
  } finally {
    service.close();
  }
});

test('the list is kept in its own order (host, then name) whatever order the hosts answer in; usage by row key', async () => {
  const containers: Record<string, string[]> = { h1: ['web-10', 'web-2'], h2: ['db'], h3: ['cache'] };
  // h1 answers last: its rows still come first (box-h1 < box-h2 < box-h3).
  const delays: Record<string, number> = { h1: 40, h2: 0, h3: 20 };
  let emitStats: ((batch: unknown[]) => void) | null = null;
  const hub = fakeHub([], [], {
    list: async (hostId) => {
      await new Promise((resolve) => setTimeout(resolve, delays[hostId]));
      return (containers[hostId] ?? []).map(summaryOf);
    },
    onStats: (hostId, onData) => {
      if (hostId === 'h2') emitStats = onData;
    },
  });
  const service = new ContainerFleetService(
    { list: async () => ['h3', 'h1', 'h2'].map(host) },
    hub,
    { onEvent: () => () => {} },
    pino({ level: 'silent' }),
  );
  const controller = new AbortController();
  try {
    const changes = service.changes(undefined, controller.signal);
    assert.deepEqual((await changes.next()).value, { kind: 'ready' });
    assert.equal(service.loadingHosts(undefined), 3);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(service.loadingHosts(undefined), 0);
    assert.deepEqual(
      service.rows(undefined).map((row) => row.key),
      ['h1/web-2-id', 'h1/web-10-id', 'h2/db-id', 'h3/cache-id'],
    );
    assert.deepEqual(
      service.rows('h1').map((row) => row.name),
      ['web-2', 'web-10'],
    );
    assert.deepEqual(service.facets(undefined).hosts, [
      ['h1', 'box-h1'],
      ['h2', 'box-h2'],
      ['h3', 'box-h3'],
    ]);
    assert.deepEqual(service.facets(undefined).labels, ['app=cache', 'app=db', 'app=web-10', 'app=web-2']);
    assert.ok(emitStats, 'h2’s stats stream was opened');
    (emitStats as (batch: unknown[]) => void)([
      {
        id: 'db-id',
        name: 'db',
        read: new Date().toISOString(),
        cpuPercent: 12.34,
        memoryUsage: 100,
        memoryLimit: 1000,
        networkRx: 0,
        networkTx: 0,
        blockRead: 0,
        blockWrite: 0,
        pids: 1,
      },
    ]);
    assert.equal(service.usage('h2/db-id')?.cpuPercent, 12.3);
    assert.equal(service.usage('h1/web-2-id'), undefined);
    // The snapshot the other subscribers get is in the same order.
    const snapshot = (await service.watch(undefined, controller.signal).next())
      .value as FleetContainersUpdate;
    assert.equal(snapshot.kind, 'snapshot');
    if (snapshot.kind === 'snapshot')
      assert.deepEqual(
        snapshot.rows.map((row) => row.key),
        service.rows(undefined).map((row) => row.key),
      );
  } finally {
    controller.abort();
    service.close();
  }
});

test('a list unchanged since it was last read shows at once when watching starts again; only its stats start', async () => {
  const listed: string[] = [];
  const streamed: string[] = [];
  const events = fakeEvents();
  const names: Record<string, string> = { h1: 'box-h1', h2: 'box-h2', h3: 'box-h3' };
  // Each list takes 20 ms: at `ready` the reads are still on their way.
  const hub = fakeHub(listed, streamed, {
    list: async (hostId) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return [summaryOf(`app-${hostId}`)];
    },
  });
  const service = new ContainerFleetService(
    { list: async () => ['h1', 'h2', 'h3'].map((id) => ({ ...host(id), name: names[id] as string })) },
    hub,
    events,
    pino({ level: 'silent' }),
    SHORT_LINGER,
  );
  const watchOnce = () => watchFleetOnce(service);
  try {
    await watchOnce();
    assert.deepEqual([...listed].sort(), ['h1', 'h2', 'h3']);

    // Nobody watches: h2 gets a container event, h3 is renamed.
    events.emit({ type: 'container', hostId: 'h2' });
    names.h3 = 'renamed';
    listed.length = 0;
    streamed.length = 0;
    const second = await watchOnce();
    assert.equal(second.loading, 2, 'h2 changed and h3 was renamed: read again; h1 is current');
    assert.deepEqual(second.rows, ['h1/app-h1-id'], "h1's rows are there at once");
    assert.deepEqual([...listed].sort(), ['h2', 'h3']);
    assert.deepEqual([...streamed].sort(), ['h1', 'h2', 'h3'], 'every host streams its stats again');

    listed.length = 0;
    const third = await watchOnce();
    assert.equal(third.loading, 0);
    assert.deepEqual(third.rows, ['h1/app-h1-id', 'h2/app-h2-id', 'h3/app-h3-id']);
    assert.deepEqual(listed, [], 'nothing changed: nothing read');

    // Events may have been missed (another process's, while the cluster listener reconnected).
    service.outdateAll();
    const fourth = await watchOnce();
    assert.equal(fourth.loading, 3);
    assert.deepEqual([...listed].sort(), ['h1', 'h2', 'h3']);
  } finally {
    service.close();
  }
});

test('a host whose containers are all gone since its last list shows none, then and on the next watch', async () => {
  const listed: string[] = [];
  const events = fakeEvents();
  let containers = [summaryOf('app')];
  const hub = fakeHub(listed, [], { list: async () => containers });
  const service = new ContainerFleetService(
    { list: async () => [host('h1')] },
    hub,
    events,
    pino({ level: 'silent' }),
    SHORT_LINGER,
  );
  const rowsOnce = async () => (await watchFleetOnce(service)).rowsAfter;
  try {
    assert.deepEqual(await rowsOnce(), ['h1/app-id']);
    containers = [];
    events.emit({ type: 'container', hostId: 'h1' });
    assert.deepEqual(await rowsOnce(), [], 'read again: nothing left');
    assert.deepEqual(await rowsOnce(), [], 'and the empty list is the one kept');
    assert.equal(listed.length, 2);
  } finally {
    service.close();
  }
});
