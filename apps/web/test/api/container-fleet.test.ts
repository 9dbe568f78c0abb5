import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import {
  ENGINE_ACTOR,
  type FleetContainer,
  type FleetContainersUpdate,
  type Role,
  type SessionUser,
} from '@stevedore/shared';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, registerAgentHost, usersByRole, waitFor } from '../harness/control-plane';

const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'];
const NAMES = ['cf-a', 'cf-b'];

/** The fleet-wide containers list and bulk actions against a real agent. */
describe('containers list: live rows and usage, bulk actions per host', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let registry: TestRegistry;
  let plane: ReturnType<typeof createControlPlane>;
  let hostId: string;
  let image: string;
  let users: Record<Role | 'stranger', SessionUser>;
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', agent.host, ...args]);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    await cli('pull', '-q', image);
    plane = createControlPlane(t.db);
    users = await usersByRole(t.db, 'cf', {
      admin: 'admin',
      operator: 'operator',
      viewer: 'viewer',
      stranger: 'operator',
    });
    hostId = await registerAgentHost(plane, users.admin, agent, 'cf-box');
    await plane.callerAs(users.admin).users.setHosts({ userId: users.operator.id, hostIds: [hostId] });
  });
  after(async () => {
    if (agent) await runCli(['-H', agent.host, 'rm', '-f', ...NAMES]);
    await plane?.close();
    await agent?.stop();
    await registry?.stop();
    await t?.close();
  });

  test('a watcher gets a snapshot, then new rows, usage deltas and state changes; a host filter narrows it', async () => {
    const controller = new AbortController();
    const updates: FleetContainersUpdate[] = [];
    const other: FleetContainersUpdate[] = [];
    const otherController = new AbortController();
    const done = (async () => {
      const stream = await plane.callerAs(users.viewer, controller.signal).containers.fleet.watch({});
      for await (const update of stream) updates.push(update);
    })();
    const otherDone = (async () => {
      const stream = await plane
        .callerAs(users.viewer, otherController.signal)
        .containers.fleet.watch({ hostId: 'some-other-host' });
      for await (const update of stream) other.push(update);
    })();
    try {
      await waitFor(() => updates.length > 0 && other.length > 0);
      assert.equal(updates[0]?.kind, 'snapshot');
      // The host's rows come in the snapshot or, if it answered later, in a `rows` update that says so.
      await waitFor(() => updates.some((u) => u.kind !== 'usage' && u.loadingHosts === 0));
      const id = await cli('run', '-d', '--name', 'cf-a', image, ...SLEEPER);
      const key = `${hostId}/${id}`;
      await waitFor(() =>
        updates.some(
          (u) => u.kind === 'rows' && u.upserts.some((r) => r.key === key && r.state === 'running'),
        ),
      );
      const row = updates
        .flatMap((u) => (u.kind === 'rows' ? u.upserts : []))
        .find((r) => r.key === key && r.state === 'running');
      assert.equal(row?.name, 'cf-a');
      assert.equal(row?.hostName, 'cf-box');
      assert.equal(row?.hostAddress, null);
      assert.ok(
        row?.startedAt && Date.now() - Date.parse(row.startedAt) < 60_000,
        'startedAt is the last start',
      );
      // Usage of the new container arrives whole first, once a second after that only what changed.
      await waitFor(
        () => updates.some((u) => u.kind === 'usage' && u.usage[key]?.memoryLimit !== undefined),
        15_000,
      );
      const first = updates.find((u) => u.kind === 'usage' && u.usage[key]);
      assert.equal(first?.kind === 'usage' && typeof first.usage[key]?.cpuPercent, 'number');

      await cli('stop', 'cf-a');
      await waitFor(() =>
        updates.some(
          (u) => u.kind === 'rows' && u.upserts.some((r) => r.key === key && r.state === 'exited'),
        ),
      );
      await waitFor(() => updates.some((u) => u.kind === 'usage' && u.usage[key] === null), 15_000);
      // The other watcher asked for another host: a snapshot of nothing, and nothing since.
      assert.deepEqual(other, [{ kind: 'snapshot', rows: [], usage: {}, loadingHosts: 0 }]);
    } finally {
      controller.abort();
      otherController.abort();
      await done;
      await otherDone;
    }
  });

  test('bulk actions: checked per host, a result per container, each audited with its parameters', async () => {
    await cli('start', 'cf-a');
    const b = await cli('run', '-d', '--name', 'cf-b', image, ...SLEEPER);
    const a = await cli('inspect', '--format', '{{.Id}}', 'cf-a');
    // While the list is watched, audit entries carry the container's name beside its id.
    const controller = new AbortController();
    const rows = new Set<string>();
    const watching = (async () => {
      const stream = await plane.callerAs(users.viewer, controller.signal).containers.fleet.watch({ hostId });
      for await (const update of stream) {
        if (update.kind === 'snapshot') for (const row of update.rows) rows.add(row.id);
        if (update.kind === 'rows') for (const row of update.upserts) rows.add(row.id);
      }
    })();
    try {
      await waitFor(() => rows.has(a) && rows.has(b));
      await bulkActions(a, b);
    } finally {
      controller.abort();
      await watching;
    }
  });

  test('an offline host keeps its containers in the list, marked, from its last list until it is back', async () => {
    const a = await cli('inspect', '--format', '{{.Id}}', 'cf-a');
    const key = `${hostId}/${a}`;
    const watch = (rows: Map<string, FleetContainer>, signal: AbortSignal) =>
      (async () => {
        const stream = await plane.callerAs(users.viewer, signal).containers.fleet.watch({});
        for await (const update of stream) {
          if (update.kind === 'snapshot') for (const row of update.rows) rows.set(row.key, row);
          if (update.kind !== 'rows') continue;
          for (const row of update.upserts) rows.set(row.key, row);
          for (const gone of update.removed) rows.delete(gone);
        }
      })();
    const controller = new AbortController();
    const rows = new Map<string, FleetContainer>();
    const watching = watch(rows, controller.signal);
    const lateController = new AbortController();
    const late = new Map<string, FleetContainer>();
    let lateWatching: Promise<void> | undefined;
    try {
      await waitFor(() => rows.has(key) && !rows.get(key)?.hostOffline);
      await agent.kill9();
      await waitFor(() => rows.get(key)?.hostOffline === true, 15_000);
      assert.equal(rows.get(key)?.name, 'cf-a', 'the row as last listed');
      // A page opened while the host is down gets the rows in its snapshot.
      lateWatching = watch(late, lateController.signal);
      await waitFor(() => late.get(key)?.hostOffline === true);
      await agent.restart();
      await waitFor(() => rows.has(key) && rows.get(key)?.hostOffline === undefined, 30_000);
      await waitFor(() => late.has(key) && late.get(key)?.hostOffline === undefined, 30_000);
    } finally {
      controller.abort();
      lateController.abort();
      await watching;
      await lateWatching;
    }
  });

  async function bulkActions(a: string, b: string) {
    await assert.rejects(
      plane
        .callerAs(users.viewer)
        .containers.fleet.bulk({ action: 'stop', targets: [{ hostId, container: a }] }),
      (error: { code?: string }) => error.code === 'FORBIDDEN',
    );
    const refused = await plane
      .callerAs(users.stranger)
      .containers.fleet.bulk({ action: 'stop', targets: [{ hostId, container: a }] });
    assert.deepEqual(refused, [
      {
        hostId,
        container: a,
        ok: false,
        error: `you may not operate host ${hostId}: an admin has to grant it to you`,
      },
    ]);
    assert.equal(await cli('inspect', '--format', '{{.State.Status}}', 'cf-a'), 'running');

    const operator = plane.callerAs(users.operator);
    const stopped = await operator.containers.fleet.bulk({
      action: 'stop',
      targets: [
        { hostId, container: a },
        { hostId, container: 'ghost' },
      ],
    });
    assert.deepEqual(
      stopped.map((r) => [r.container, r.ok]),
      [
        [a, true],
        ['ghost', false],
      ],
    );
    assert.match(stopped[1]?.error ?? '', /ghost/);
    assert.equal(await cli('inspect', '--format', '{{.State.Status}}', 'cf-a'), 'exited');

    // A running container is removed only when the caller says so (the browser confirms it first).
    const kept = await operator.containers.fleet.bulk({
      action: 'remove',
      targets: [{ hostId, container: b }],
    });
    assert.equal(kept[0]?.ok, false);
    assert.match(kept[0]?.error ?? '', /running/);
    const removed = await operator.containers.fleet.bulk({
      action: 'remove',
      force: true,
      targets: [{ hostId, container: b }],
    });
    assert.deepEqual(removed, [{ hostId, container: b, ok: true, error: null }]);
    assert.doesNotMatch(await cli('ps', '-a', '--format', '{{.Names}}'), /cf-b/);

    // The dashboard's own entries; what the CLI did in the test before (engine/CLI entries, written
    // as their events arrive) is the engine audit's test's subject.
    const audit = (await plane.callerAs(users.admin).audit.list({ limit: 50 })).entries;
    const of = (action: string, target: string) =>
      audit
        .filter((e) => e.action === action && e.target === target && e.username !== ENGINE_ACTOR)
        .map((e) => [e.username, e.result, e.params]);
    assert.deepEqual(of('container.stop', a), [['cf-operator', 'ok', { name: 'cf-a' }]]);
    assert.deepEqual(of('container.stop', 'ghost'), [['cf-operator', 'error', {}]]);
    assert.deepEqual(of('container.remove', b), [
      ['cf-operator', 'ok', { name: 'cf-b', force: true }],
      ['cf-operator', 'error', { name: 'cf-b', force: false }],
    ]);
    assert.deepEqual(await plane.callerAs(users.viewer).containers.fleet.operable(), {
      all: false,
      hostIds: [],
    });
    assert.deepEqual(await operator.containers.fleet.operable(), { all: false, hostIds: [hostId] });
  }
});
