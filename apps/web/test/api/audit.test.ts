import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import { type AuditEntry, ENGINE_ACTOR, type SessionUser } from '@stevedore/shared';
import { appendAudit } from '../../src/server/db/repositories/audit';
import { createUser } from '../../src/server/db/repositories/users';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, waitFor } from '../harness/control-plane';

// The audit log against a real agent: actions taken with the CLI reach it through the host's
// events, attributed to the engine/CLI on that host; the dashboard's own actions appear once, by
// their user; entries carry host and container names; filters and cursor paging happen on the server.
describe('audit log', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let registry: TestRegistry;
  let plane: ReturnType<typeof createControlPlane>;
  let admin: SessionUser;
  let hostId: string;
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', agent.host, ...args], {}, 60_000);
    assert.equal(result.code, 0, `stevedore ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const list = (input: Parameters<ReturnType<typeof plane.callerAs>['audit']['list']>[0]) =>
    plane.callerAs(admin).audit.list(input);

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    registry = await startRegistry();
    const image = await pushBusybox(registry);
    await cli('pull', '-q', image.reference);
    plane = createControlPlane(t.db);
    const row = await createUser(t.db, { username: 'auditor', passwordHash: 'x', role: 'admin' });
    admin = { id: row.id, username: row.username, role: 'admin' };
    hostId = (
      await plane
        .callerAs(admin)
        .hosts.create({ name: 'box', transport: 'unix', socketPath: agent.socketPath })
    ).id;
    await waitFor(() => plane.hub.status(hostId).state === 'online');
    await cli('run', '-d', '--name', 'cli-one', image.reference, 'sleep', '300');
    await cli('run', '-d', '--name', 'dash-one', image.reference, 'sleep', '300');
  });
  after(async () => {
    if (agent) for (const name of ['cli-one', 'dash-one']) await runCli(['-H', agent.host, 'rm', '-f', name]);
    await plane?.close();
    await registry?.stop();
    await agent?.stop();
    await t?.close();
  });

  test('CLI actions are recorded as the engine/CLI on that host; dashboard actions only once', async () => {
    const cliId = await cli('inspect', '-f', '{{.Id}}', 'cli-one');
    const dashId = await cli('inspect', '-f', '{{.Id}}', 'dash-one');
    await cli('stop', '-t', '1', 'cli-one');
    const act = (action: 'pause' | 'remove') =>
      plane.callerAs(admin).containers.act({ hostId, action, container: dashId });
    await act('pause');
    await act('remove');
    await cli('rm', 'cli-one');

    const summary = (entries: AuditEntry[]) =>
      entries
        .filter((e) => e.action.startsWith('container.'))
        .map((e) => `${e.username} ${e.action} ${e.targetName}`)
        .reverse();
    const expected = [
      `${ENGINE_ACTOR} container.create cli-one`,
      `${ENGINE_ACTOR} container.start cli-one`,
      `${ENGINE_ACTOR} container.create dash-one`,
      `${ENGINE_ACTOR} container.start dash-one`,
      `${ENGINE_ACTOR} container.stop cli-one`,
      'auditor container.pause dash-one',
      'auditor container.remove dash-one',
      `${ENGINE_ACTOR} container.remove cli-one`,
    ];
    let entries: AuditEntry[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      entries = (await list({ limit: 100 })).entries;
      if (summary(entries).length >= expected.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    // The held events (start, stop) have had their moment; nothing more arrives.
    await new Promise((r) => setTimeout(r, 6_000));
    entries = (await list({ limit: 100 })).entries;
    assert.deepEqual(summary(entries), expected);
    const cliStop = entries.find((e) => e.action === 'container.stop');
    assert.equal(cliStop?.source, 'engine');
    assert.equal(cliStop?.hostName, 'box');
    assert.equal(cliStop?.hostId, hostId);
    assert.equal(cliStop?.target, cliId);
    assert.equal(entries.find((e) => e.action === 'container.pause')?.source, 'dashboard');
  });

  test('filters by user, host, action prefix, result and time; pages with a cursor', async () => {
    const base = new Date('2020-01-01T00:00:00Z').getTime();
    for (let i = 0; i < 7; i++) {
      await appendAudit(t.db, {
        userId: admin.id,
        username: 'auditor',
        action: i % 2 ? 'user.create' : 'user.remove',
        target: `u${i}`,
        params: {},
        result: i === 3 ? 'error' : 'ok',
        error: i === 3 ? 'boom' : null,
        at: new Date(base + i * 60_000),
      });
    }
    const window = { from: '2020-01-01T00:00:00Z', to: '2020-01-01T00:06:00Z' };
    const first = await list({ ...window, limit: 3 });
    assert.deepEqual(
      first.entries.map((e) => e.target),
      ['u6', 'u5', 'u4'],
    );
    assert.ok(first.nextCursor);
    const second = await list({ ...window, limit: 3, cursor: first.nextCursor });
    assert.deepEqual(
      second.entries.map((e) => e.target),
      ['u3', 'u2', 'u1'],
    );
    const last = await list({ ...window, limit: 3, cursor: second.nextCursor ?? undefined });
    assert.deepEqual(
      last.entries.map((e) => e.target),
      ['u0'],
    );
    assert.equal(last.nextCursor, null);

    assert.deepEqual(
      (await list({ ...window, result: 'error' })).entries.map((e) => [e.target, e.error]),
      [['u3', 'boom']],
    );
    assert.deepEqual(
      (await list({ ...window, action: 'user.create' })).entries.map((e) => e.target),
      ['u5', 'u3', 'u1'],
    );
    assert.equal((await list({ ...window, action: 'user.' })).entries.length, 7);
    assert.equal((await list({ ...window, username: ENGINE_ACTOR })).entries.length, 0);
    assert.equal((await list({ username: ENGINE_ACTOR, hostId })).entries.length, 6);
    assert.equal((await list({ ...window, hostId })).entries.length, 0);
    assert.deepEqual(
      (await list({ from: '2020-01-01T00:02:00Z', to: '2020-01-01T00:03:00Z' })).entries.map((e) => e.target),
      ['u3', 'u2'],
    );
  });

  test('viewers and operators may not read the audit log', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const row = await createUser(t.db, { username: `a-${role}`, passwordHash: 'x', role });
      await assert.rejects(
        plane.callerAs({ id: row.id, username: row.username, role }).audit.list({}),
        /FORBIDDEN|admin/i,
      );
    }
  });
});
