import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetEvent, FleetUpdate, HostConnectionState, HostSummary } from '@stevedore/shared';
import type { AgentHub } from '../hub/agent-hub.js';
import { FleetService } from './fleet-service.js';

/** The three calls the overview makes of an agent; `usage` answers system.usage. */
const fakeAgentClient = (usage: () => Promise<unknown>) => ({
  system: {
    info: {
      query: async () => ({
        ServerVersion: '1.2.3',
        DefaultRuntime: 'runc',
        Runtimes: { runc: { path: 'runc', version: '1.1.5' } },
        CgroupVersion: '1',
        ContainersRunning: 2,
        ContainersStopped: 1,
        Images: 3,
      }),
    },
    usage: { query: usage },
    df: { query: async () => [{ type: 'Images', size: 42 }] },
  },
});

test('a row kept while the host was connecting is not served once the hub says it is online', async () => {
  let state: HostConnectionState = 'connecting';
  const host = (): HostSummary => ({
    id: 'h1',
    name: 'box',
    transport: 'unix',
    address: 'unix:///run/stevedore/agent.sock',
    labels: {},
    sshHostKey: null,
    status: { hostId: 'h1', state, lastError: null, lastSeen: null },
  });
  const client = fakeAgentClient(async () => ({ cpuPercent: 1 }));
  const hub = {
    onStatus: () => () => {},
    status: () => host().status,
    call: async (_hostId: string, fn: (c: typeof client) => Promise<unknown>) => fn(client),
  } as unknown as AgentHub;
  // Rows are kept a minute: only the state check can make the second snapshot compute afresh.
  const timing = { usageMs: 60_000, factsMs: 60_000, imageSizeMs: 60_000, debounceMs: 0 };
  const fleet = new FleetService(
    { list: async () => [host()], get: async () => host() },
    hub,
    { onEvent: () => () => {} },
    timing,
  );
  try {
    const [connecting] = await fleet.snapshot();
    assert.equal(connecting?.status.state, 'connecting');
    assert.equal(connecting?.agent, null);
    state = 'online';
    const [online] = await fleet.snapshot();
    assert.equal(online?.status.state, 'online');
    assert.equal(online?.agent?.version, '1.2.3');
    assert.equal(online?.agent?.imagesSize, 42);
    const [kept] = await fleet.snapshot();
    assert.equal(kept, online, 'a row in the current state is kept');
  } finally {
    fleet.close();
  }
});

test("while watched, a row whose only change is usage goes out in one 'usage' message; nobody watching, events refresh nothing", async () => {
  const host: HostSummary = {
    id: 'h1',
    name: 'box',
    transport: 'unix',
    address: 'unix:///run/stevedore/agent.sock',
    labels: {},
    sshHostKey: null,
    status: { hostId: 'h1', state: 'online', lastError: null, lastSeen: null },
  };
  let cpu = 1;
  let usageCalls = 0;
  const client = fakeAgentClient(async () => {
    usageCalls++;
    return { cpuPercent: cpu++ };
  });
  const hub = {
    onStatus: () => () => {},
    status: () => host.status,
    call: async (_hostId: string, fn: (c: typeof client) => Promise<unknown>) => fn(client),
  } as unknown as AgentHub;
  let emit: (event: FleetEvent) => void = () => {};
  const events = {
    onEvent: (listener: (event: FleetEvent) => void) => {
      emit = listener;
      return () => {};
    },
  };
  const timing = { usageMs: 50, factsMs: 60_000, imageSizeMs: 60_000, debounceMs: 0 };
  const fleet = new FleetService({ list: async () => [host], get: async () => host }, hub, events, timing);
  const controller = new AbortController();
  // The service's timers are unref'd (they must not hold a server open): hold the test open.
  const keepAlive = setInterval(() => {}, 1_000);
  try {
    await fleet.snapshot();
    const before = usageCalls;
    emit({ type: 'container', hostId: 'h1' } as FleetEvent);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(usageCalls, before, 'nobody watches: an event reads nothing from the agent');

    const watched = fleet.watch(controller.signal);
    assert.equal((await watched.next()).value?.kind, 'snapshot');
    const next = (await watched.next()).value as FleetUpdate;
    assert.equal(next.kind, 'usage');
    assert.ok(next.kind === 'usage' && typeof next.usage.h1?.cpuPercent === 'number');
  } finally {
    clearInterval(keepAlive);
    controller.abort();
    fleet.close();
  }
});

test('a watcher’s snapshot does not wait for a slow agent: the host comes without facts at once, its row when the agent answers', async () => {
  const host: HostSummary = {
    id: 'h1',
    name: 'slow',
    transport: 'unix',
    address: 'unix:///run/stevedore/agent.sock',
    labels: {},
    sshHostKey: null,
    status: { hostId: 'h1', state: 'online', lastError: null, lastSeen: null },
  };
  let answer: () => void = () => {};
  const answered = new Promise<void>((resolve) => {
    answer = resolve;
  });
  const client = {
    system: {
      info: {
        query: async () => {
          await answered;
          return {
            ServerVersion: '1.2.3',
            DefaultRuntime: 'runc',
            Runtimes: { runc: { path: 'runc', version: '1.1.5' } },
            CgroupVersion: '2',
            ContainersRunning: 2,
            ContainersStopped: 1,
            Images: 3,
          };
        },
      },
      usage: { query: async () => ({ cpuPercent: 1 }) },
      df: { query: async () => [{ type: 'Images', size: 42 }] },
    },
  };
  const hub = {
    onStatus: () => () => {},
    status: () => host.status,
    call: async (_hostId: string, fn: (c: typeof client) => Promise<unknown>) => fn(client),
  } as unknown as AgentHub;
  const timing = { usageMs: 60_000, factsMs: 60_000, imageSizeMs: 60_000, debounceMs: 0 };
  const fleet = new FleetService(
    { list: async () => [host], get: async () => host },
    hub,
    { onEvent: () => () => {} },
    timing,
  );
  const controller = new AbortController();
  const keepAlive = setInterval(() => {}, 1_000);
  try {
    const watched = fleet.watch(controller.signal);
    const first = (await watched.next()).value as FleetUpdate;
    assert.ok(first.kind === 'snapshot');
    assert.equal(first.hosts[0]?.name, 'slow');
    assert.equal(first.hosts[0]?.agent, null, 'the agent has not answered: no facts yet');
    answer();
    const next = (await watched.next()).value as FleetUpdate;
    assert.ok(next.kind === 'host');
    assert.equal(next.host.agent?.version, '1.2.3');
  } finally {
    clearInterval(keepAlive);
    controller.abort();
    fleet.close();
  }
});

test('the refresh loop spreads the hosts over the interval rather than calling every agent at once', async () => {
  const hostOf = (i: number): HostSummary => ({
    id: `h${i}`,
    name: `box${i}`,
    transport: 'unix',
    address: `unix:///run/agent${i}.sock`,
    labels: {},
    sshHostKey: null,
    status: { hostId: `h${i}`, state: 'online', lastError: null, lastSeen: null },
  });
  const hosts = Array.from({ length: 20 }, (_, i) => hostOf(i));
  const usageCalls: number[] = [];
  const client = fakeAgentClient(async () => {
    usageCalls.push(performance.now());
    return { cpuPercent: usageCalls.length };
  });
  const hub = {
    onStatus: () => () => {},
    status: (hostId: string) => hostOf(Number(hostId.slice(1))).status,
    call: async (_hostId: string, fn: (c: typeof client) => Promise<unknown>) => fn(client),
  } as unknown as AgentHub;
  const usageMs = 400;
  const fleet = new FleetService(
    { list: async () => hosts, get: async (id) => hostOf(Number(id.slice(1))) },
    hub,
    { onEvent: () => () => {} },
    { usageMs, factsMs: 60_000, imageSizeMs: 60_000, debounceMs: 0 },
  );
  const controller = new AbortController();
  const updates = fleet.watch(controller.signal);
  try {
    await updates.next();
    // The snapshot's refreshes (one per ms), then one round of the loop.
    await new Promise((resolve) => setTimeout(resolve, usageMs * 1.95));
    const round = usageCalls.slice(hosts.length, hosts.length * 2);
    assert.equal(round.length, hosts.length, `a whole round in the interval: ${usageCalls.length} calls`);
    const spreadMs = (round.at(-1) as number) - (round[0] as number);
    assert.ok(
      spreadMs >= usageMs * 0.6,
      `the round took ${spreadMs.toFixed(0)} ms of the ${usageMs} ms interval`,
    );
  } finally {
    controller.abort();
    await updates.return(undefined);
    fleet.close();
  }
});
