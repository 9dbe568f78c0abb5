import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import type { Role, SessionUser } from '@stevedore/shared';
import { listAudit } from '../../src/server/db/repositories/audit';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, registerAgentHost, usersByRole } from '../harness/control-plane';

const MiB = 1024 * 1024;

// containers.limits against a real agent: recommendations from its usage history and events, and
// (once limits-engine's agent procedures are in) update with before/after in the audit log.
describe('container limits procedures', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let registry: TestRegistry;
  let direct: AgentConnection;
  let plane: ReturnType<typeof createControlPlane>;
  let hostId: string;
  let image: string;
  let users: Record<Role, SessionUser>;
  const as = (role: Role) => plane.callerAs(users[role]).containers.limits;
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', agent.host, ...args]);
    assert.equal(result.code, 0, `stevedore ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    await cli('pull', '-q', image);
    direct = await connectAgentOnce({ host: agent.host });
    plane = createControlPlane(t.db);
    users = await usersByRole(t.db, 'cl', ['admin', 'operator', 'viewer']);
    hostId = await registerAgentHost(plane, users.admin, agent, 'box', {});
  });
  after(async () => {
    for (const name of ['cl-hog', 'cl-idle']) {
      await direct?.client.containers.remove.mutate({ container: name, force: true }).catch(() => {
        // Never made (an earlier failure): nothing to clean.
      });
    }
    await plane?.close();
    await direct?.close();
    await registry?.stop();
    await agent?.stop();
    await t?.close();
  });

  test('a container OOM-killed in the window: the recommendation counts the kills and raises its limit', async () => {
    // Doubles a string until the 8 MiB limit kills it; restarted by its policy, killed again.
    await cli(
      'run',
      '-d',
      '--name',
      'cl-hog',
      '--network',
      'none',
      '-m',
      '8m',
      '--memory-swap',
      '8m',
      '--restart',
      'on-failure:2',
      image,
      'sh',
      '-c',
      'sleep 2; x=aaaaaaaa; while :; do x=$x$x; done',
    );
    const viewer = as('viewer');
    let answer = await viewer.recommend({ hostId, container: 'cl-hog', range: '1h' });
    const deadline = Date.now() + 30_000;
    while (answer.recommendation.oomKills === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      answer = await viewer.recommend({ hostId, container: 'cl-hog', range: '1h' });
    }
    const r = answer.recommendation;
    assert.ok(r.oomKills >= 1, `OOM kills counted: ${JSON.stringify(r)}`);
    assert.ok(r.warnings.some((w) => w.code === 'oom-kills'));
    assert.equal(r.memory.current, 8 * MiB);
    // Killed at its limit: what it needs is unknown, so the limit is raised 1.5× (12 MiB) at least.
    assert.ok((r.proposal.Memory ?? 0) >= 12 * MiB, `proposal ${r.proposal.Memory}`);
    assert.ok(r.reasons.some((reason) => /OOM-killed/.test(reason)));
    assert.equal(answer.chart.memoryP95.length, answer.chart.timestamps.length);
  });

  test('an idle container gets a proposal from its usage, and viewers may ask for it', async () => {
    await cli(
      'run',
      '-d',
      '--name',
      'cl-idle',
      '--network',
      'none',
      image,
      'sh',
      '-c',
      'while :; do sleep 1; done',
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const answer = await as('viewer').recommend({ hostId, container: 'cl-idle', range: '1h' });
    const r = answer.recommendation;
    assert.ok(r.points >= 1);
    assert.ok((r.proposal.Memory ?? 0) >= 6 * MiB);
    assert.ok((r.proposal.NanoCpus ?? 0) > 0);
    assert.equal(r.oomKills, 0);
    assert.equal(r.memory.current, null);
    assert.ok(r.warnings.some((w) => w.code === 'little-data'));
  });

  test('viewers and operators without a grant cannot update; nothing changes', async () => {
    const changes = { Memory: 32 * MiB };
    await assert.rejects(as('viewer').update({ hostId, container: 'cl-idle', changes }), /operator role/);
    await assert.rejects(
      as('operator').update({ hostId, container: 'cl-idle', changes }),
      /may not operate host/,
    );
    assert.equal(
      (await direct.client.containers.inspect.query({ container: 'cl-idle' })).HostConfig.Memory,
      0,
    );
  });

  // Needs limits-engine: the agent's `containers.limits` and `update` answering with its readings.
  test('update applies live, answers with the kernel readings and is audited with before and after', async () => {
    const result = await as('admin').update({ hostId, container: 'cl-idle', changes: { Memory: 48 * MiB } });
    const memory = result.limits.readings.find((r) => r.field === 'Memory');
    assert.equal(memory?.applied, 48 * MiB);
    assert.equal(memory?.matches, true);
    const limits = await as('viewer').get({ hostId, container: 'cl-idle' });
    assert.equal(limits.configured.Memory, 48 * MiB);
    const [entry] = await listAudit(t.db, { action: 'container.limits', limit: 1 });
    assert.equal(entry?.result, 'ok');
    const params = JSON.parse(entry?.params ?? '{}') as {
      before: Record<string, unknown>;
      after: Record<string, { applied: unknown }>;
    };
    assert.deepEqual(params.before, { Memory: 0 });
    assert.equal(params.after.Memory?.applied, 48 * MiB);
  });
});
