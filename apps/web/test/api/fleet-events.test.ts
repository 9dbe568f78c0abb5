import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import type { FleetEvent, FleetHost, FleetUpdate, Role, SessionUser } from '@stevedore/shared';
import pino from 'pino';
import { EventService } from '../../src/server/services/event-service';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, registerAgentHost, usersByRole, waitFor } from '../harness/control-plane';

/** Collects what a subscription yields until `stop()`, which aborts it as a closed connection would. */
function collect<T>(subscribe: (signal: AbortSignal) => Promise<AsyncIterable<T>>) {
  const items: T[] = [];
  const controller = new AbortController();
  const done = (async () => {
    for await (const item of await subscribe(controller.signal)) items.push(item);
  })();
  return {
    items,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

// The hub against a real agent on its unix socket: engine events reach the live feed and the
// database, a reconnect resumes without gaps or repeats, the fleet overview is pushed, hosts are
// edited, and operators act only on hosts granted to them.
describe('fleet events, fleet overview, host edits and grants', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let direct: AgentConnection;
  let plane: ReturnType<typeof createControlPlane>;
  let hostId: string;
  let users: Record<Role, SessionUser>;
  const admin = () => plane.callerAs(users.admin);
  const volumeEvents = async (prefix: string) =>
    (await admin().events.list({ type: 'volume', actor: prefix, limit: 500 })).events;

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    direct = await connectAgentOnce({ host: agent.host });
    plane = createControlPlane(t.db);
    users = await usersByRole(t.db, 'fe', ['admin', 'operator', 'viewer']);
    hostId = await registerAgentHost(plane, users.admin, agent, 'box', { env: 'test' });
  });
  after(async () => {
    await plane?.close();
    await direct?.close();
    await agent?.stop();
    await t?.close();
  });

  test('an engine event reaches live watchers and the stored history, filterable', async () => {
    const watched = collect<FleetEvent>((signal) =>
      plane.callerAs(users.viewer, signal).events.watch({ type: 'volume', actor: 'live-' }),
    );
    try {
      await direct.client.volumes.create.mutate({ Name: 'live-one' });
      await direct.client.volumes.remove.mutate({ name: 'live-one' });
      await waitFor(() => watched.items.length >= 2);
      const live = watched.items;
      assert.deepEqual(
        live.map((e) => [e.hostName, e.type, e.action, e.actorId]),
        [
          ['box', 'volume', 'create', 'live-one'],
          ['box', 'volume', 'destroy', 'live-one'],
        ],
      );
    } finally {
      await watched.stop();
    }
    const stored = await volumeEvents('live-');
    assert.deepEqual(
      stored.map((e) => e.action),
      ['destroy', 'create'],
      'newest first',
    );
    assert.equal(
      (await admin().events.list({ type: 'container', actor: 'live-', limit: 10 })).events.length,
      0,
    );
    assert.equal((await admin().events.list({ hostId: 'other', limit: 10 })).events.length, 0);
  });

  test('an agent restart loses no event and repeats none; a new hub resumes where the last one stopped', async () => {
    await direct.client.volumes.create.mutate({ Name: 'gap-1' });
    await waitFor(() => plane.hub.status(hostId).state === 'online');
    await agent.restart();
    await direct.close();
    direct = await connectAgentOnce({ host: agent.host });
    await direct.client.volumes.create.mutate({ Name: 'gap-2' });
    await waitFor(() => plane.hub.status(hostId).state === 'online', 20_000);
    await plane.services.events.flush();
    const deadline = Date.now() + 10_000;
    while ((await volumeEvents('gap-')).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));

    // The dashboard stops; events happen meanwhile; a new dashboard on the same database catches up.
    await plane.close();
    await direct.client.volumes.create.mutate({ Name: 'gap-3' });
    await direct.client.volumes.remove.mutate({ name: 'gap-3' });
    plane = createControlPlane(t.db);
    await plane.services.hosts.connectAll();
    await waitFor(() => plane.hub.status(hostId).state === 'online');
    const resumed = Date.now() + 10_000;
    while ((await volumeEvents('gap-')).length < 4 && Date.now() < resumed)
      await new Promise((r) => setTimeout(r, 100));
    await plane.services.events.flush();
    const events = await volumeEvents('gap-');
    assert.deepEqual(events.map((e) => `${e.action} ${e.actorId}`).reverse(), [
      'create gap-1',
      'create gap-2',
      'create gap-3',
      'destroy gap-3',
    ]);
    assert.equal(new Set(events.map((e) => e.timeNano)).size, events.length, 'no event stored twice');
  });

  test('retention keeps the newest events only', async () => {
    const events = new EventService(t.db, pino({ level: 'silent' }), { days: 7, max: 3 });
    try {
      const before = await t.db.hostEvent.count();
      assert.ok(before > 3, `there are more than 3 events to prune (${before})`);
      const removed = await events.prune();
      assert.equal(removed, before - 3);
      const newest = await admin().events.list({ limit: 10 });
      assert.equal(newest.events.length, 3);
      assert.equal(newest.events[0]?.actorId, 'gap-3');
    } finally {
      await events.close();
    }
  });

  test('the fleet overview comes whole, then as changed rows; a stopped agent turns its row offline', async () => {
    const watched = collect<FleetUpdate>((signal) => plane.callerAs(users.viewer, signal).hosts.watchFleet());
    try {
      await waitFor(() => watched.items.length >= 1);
      assert.equal(watched.items[0]?.kind, 'snapshot');
      // The snapshot answers at once from what the server keeps; a host not refreshed yet comes as
      // its summary and then whole, as a `host` update.
      const latestRow = () => {
        let latest: FleetHost | undefined;
        for (const update of watched.items) {
          if (update.kind === 'snapshot') latest = update.hosts.find((h) => h.id === hostId) ?? latest;
          else if (update.kind === 'host' && update.host.id === hostId) latest = update.host;
        }
        return latest;
      };
      await waitFor(() => Boolean(latestRow()?.agent));
      const row = latestRow();
      assert.equal(row?.status.state, 'online');
      assert.deepEqual(row?.labels, { env: 'test' });
      assert.match(row?.agent?.version ?? '', /^\d+\.\d+\.\d+/);
      assert.ok((row?.usage?.memTotal ?? 0) > 0, 'memory usage is reported');
      assert.ok((row?.usage?.diskTotal ?? 0) > 0, 'data-root disk usage is reported');
      assert.equal(typeof row?.agent?.imagesSize, 'number');

      await agent.kill();
      const offline = () =>
        watched.items.some(
          (u) => u.kind === 'host' && u.host.id === hostId && u.host.status.state === 'offline',
        );
      await waitFor(offline, 15_000);
      await agent.restart();
      const online = () => watched.items.findLast((u) => u.kind === 'host' && u.host.id === hostId);
      await waitFor(() => {
        const last = online();
        return last?.kind === 'host' && last.host.status.state === 'online' && last.host.agent !== null;
      }, 20_000);
    } finally {
      await watched.stop();
    }
    await direct.close();
    direct = await connectAgentOnce({ host: agent.host });
  });

  test('an admin renames and relabels a host; a failing new connection is refused and the old one kept', async () => {
    const renamed = await admin().hosts.update({
      hostId,
      name: 'box-2',
      labels: { env: 'prod', tier: 'db' },
    });
    assert.equal(renamed.name, 'box-2');
    assert.deepEqual(renamed.labels, { env: 'prod', tier: 'db' });
    await waitFor(() => plane.hub.status(hostId).state === 'online');
    await assert.rejects(
      admin().hosts.update({
        hostId,
        connection: { transport: 'unix', socketPath: '/nonexistent/agent.sock' },
      }),
      /nonexistent|ENOENT|no answer|refused/i,
    );
    assert.equal((await admin().hosts.get({ hostId })).address, `unix://${agent.socketPath}`);
    await assert.rejects(admin().hosts.update({ hostId, labels: { 'bad key!': 'x' } }), /label keys are/);
    await assert.rejects(admin().hosts.update({ hostId, name: 'local' }), /"local" belongs/);
    const audit = (await admin().audit.list({ limit: 20 })).entries.filter((e) => e.action === 'host.update');
    // Newest first: the refused "local", the refused connection, the rename (bad labels never got past validation).
    assert.deepEqual(
      audit.map((e) => e.result),
      ['error', 'error', 'ok'],
    );
    // Events received after the rename carry the new name.
    await direct.client.volumes.create.mutate({ Name: 'after-rename' });
    const deadline = Date.now() + 10_000;
    let named: FleetEvent[] = [];
    while (named.length === 0 && Date.now() < deadline) {
      named = await volumeEvents('after-rename');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(named[0]?.hostName, 'box-2');
  });

  test('an operator acts on containers of granted hosts only, and every attempt is audited', async () => {
    const operator = plane.callerAs(users.operator);
    await assert.rejects(
      operator.containers.act({ hostId, container: 'ghost', action: 'stop' }),
      (error: { code?: string }) => error.code === 'FORBIDDEN',
    );
    const granted = await admin().users.setHosts({ userId: users.operator.id, hostIds: [hostId] });
    assert.deepEqual(granted.hostIds, [hostId]);
    assert.equal((await operator.hosts.access({ hostId })).canOperate, true);
    assert.equal((await plane.callerAs(users.viewer).hosts.access({ hostId })).canOperate, false);
    await assert.rejects(operator.containers.act({ hostId, container: 'ghost', action: 'stop' }), /ghost/);
    await assert.rejects(
      admin().users.setHosts({ userId: users.operator.id, hostIds: ['no-such-host'] }),
      /no such host: no-such-host/,
    );
    const entries = (await admin().audit.list({ limit: 20 })).entries;
    const stop = entries.find((e) => e.action === 'container.stop');
    assert.equal(stop?.username, 'fe-operator');
    assert.equal(stop?.result, 'error');
    assert.equal(stop?.hostId, hostId);
    assert.ok(entries.some((e) => e.action === 'user.set-hosts' && e.result === 'ok'));
  });
});
