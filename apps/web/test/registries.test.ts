import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import type { SessionUser } from '@stevedore/shared';
import { openTestDatabase, type TestDatabase } from './db/test-database';
import { createControlPlane, registerAgentHost, usersByRole } from './harness/control-plane';

/**
 * A registry setting rolled out to two real agents: one of them cannot take it (its Docker Hub
 * mirrors are set by an agent flag, which wins over daemon.json), so the other gets its previous
 * settings back; every host has a result and the audit log has before and after.
 */
describe('registries: rollout across two agents, rollback on failure, audit with before/after', () => {
  let t: TestDatabase;
  let plane: ReturnType<typeof createControlPlane>;
  let admin: SessionUser;
  const agents: AgentProcess[] = [];
  const hostIds: string[] = [];
  const caller = () => plane.callerAs(admin);

  before(async () => {
    t = await openTestDatabase('sqlite');
    plane = createControlPlane(t.db);
    ({ admin } = await usersByRole(t.db, 'registries', ['admin']));
    // Own config files, so each agent's certs.d is in its temp dir.
    agents.push(await startAgent({ config: {} }));
    agents.push(await startAgent({ config: {}, extraArgs: ['--registry-mirror', 'http://127.0.0.1:9'] }));
    for (const [i, agent] of agents.entries()) {
      const name = `registries-${i === 0 ? 'free' : 'pinned'}`;
      hostIds.push(await registerAgentHost(plane, admin, agent, name, { fleet: 'registries-test' }));
    }
  });

  after(async () => {
    await plane?.close();
    for (const agent of agents) await agent.stop();
    await t?.close();
  });

  test('one host refuses: the host already changed is rolled back, both have a result, the audit log says what changed', async () => {
    const change = { registry: 'docker.io', mirrors: [{ url: 'http://127.0.0.1:19' }] };
    const preview = await caller().registries.preview({ target: { kind: 'hosts', hostIds }, change });
    assert.deepEqual(
      preview.map((p) => [p.hostName, p.changed, p.after?.mirrors]),
      [
        ['registries-free', true, ['http://127.0.0.1:19']],
        ['registries-pinned', true, ['http://127.0.0.1:19']],
      ],
    );
    const report = await caller().registries.rollout({ target: { kind: 'hosts', hostIds }, change });
    assert.equal(report.ok, false);
    assert.equal(report.rolledBack, true);
    const byName = new Map(report.hosts.map((h) => [h.hostName, h]));
    assert.equal(byName.get('registries-free')?.result, 'rolled-back');
    assert.equal(byName.get('registries-pinned')?.result, 'failed');
    assert.match(byName.get('registries-pinned')?.error ?? '', /command-line flag/);
    const free = await caller().registries.list({ hostId: hostIds[0] as string });
    assert.deepEqual(
      free.registries.find((r) => r.registry === 'docker.io')?.mirrors,
      [],
      'back to no mirrors',
    );

    const sets = await plane.services.audit.list({ action: 'registries.set' });
    const applied = sets.entries.find((e) => e.hostId === hostIds[0]);
    assert.equal(applied?.result, 'ok');
    assert.deepEqual((applied?.params.before as { mirrors: string[] } | undefined)?.mirrors, []);
    assert.deepEqual((applied?.params.after as { mirrors: string[] } | undefined)?.mirrors, [
      'http://127.0.0.1:19',
    ]);
    const refused = sets.entries.find((e) => e.hostId === hostIds[1]);
    assert.equal(refused?.result, 'error');
    const rollbacks = await plane.services.audit.list({ action: 'registries.rollback' });
    assert.equal(rollbacks.entries.length, 1);
    assert.equal(rollbacks.entries[0]?.hostId, hostIds[0]);
    assert.deepEqual((rollbacks.entries[0]?.params.after as { mirrors: string[] } | undefined)?.mirrors, []);
    const rollouts = await plane.services.audit.list({ action: 'registries.rollout' });
    assert.equal(rollouts.entries[0]?.params.registry, 'docker.io');
  });

  test('by label selector: a mirror for another registry lands on both hosts; previewed again, nothing is left to change', async () => {
    const target = { kind: 'labels' as const, selector: 'fleet=registries-test' };
    const change = { registry: '127.0.0.1:5999', mirrors: [{ url: 'http://127.0.0.1:5998' }] };
    const report = await caller().registries.rollout({ target, change });
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.hosts.map((h) => h.result),
      ['applied', 'applied'],
    );
    for (const hostId of hostIds) {
      const list = await caller().registries.list({ hostId });
      assert.deepEqual(
        list.registries.find((r) => r.registry === '127.0.0.1:5999')?.mirrors.map((m) => [m.url, m.source]),
        [['http://127.0.0.1:5998', 'hosts.toml']],
      );
    }
    const again = await caller().registries.preview({ target, change });
    assert.deepEqual(
      again.map((p) => p.changed),
      [false, false],
    );
  });
});
