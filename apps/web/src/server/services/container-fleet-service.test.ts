import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetContainersUpdate, HostSummary } from '@stevedore/shared';
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

/** A hub whose hosts are all online and have no containers; it records whose list and stats were read. */
function fakeHub(listed: string[], streamed: string[] = []): AgentHub {
  return {
    onStatus: () => () => {},
    status: (hostId: string) => host(hostId).status,
    call: async (hostId: string, fn: (client: unknown) => Promise<unknown>) =>
      fn({
        containers: {
          list: {
            query: async () => {
              listed.push(hostId);
              return [];
            },
          },
          stats: {
            subscribe: () => {
              streamed.push(hostId);
              return { unsubscribe: () => {} };
            },
          },
        },
      }),
  } as unknown as AgentHub;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

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
  let emit: (event: { type: 'container'; hostId: string }) => void = () => {};
  const hub = fakeHub(listed);
  const service = new ContainerFleetService(
    { list: async () => ['h1', 'h2'].map(host) },
    hub,
    {
      onEvent: (listener) => {
        emit = listener as typeof emit;
        return () => {};
      },
    },
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
    emit({ type: 'container', hostId: 'h1' });
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
