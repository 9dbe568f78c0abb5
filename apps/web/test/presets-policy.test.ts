import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { cgroupDir, readCgroupFile, removeCgroupParent } from '@stevedore/agent/test/harness/cgroups';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import { writeUsageHistory } from '@stevedore/agent/test/harness/usage-history';
import type { SessionUser } from '@stevedore/shared';
import { openTestDatabase, type TestDatabase } from './db/test-database';
import { createControlPlane, registerAgentHost, usersByRole } from './harness/control-plane';

const MiB = 1024 * 1024;
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'];

/**
 * "Recommended limits" as a rollout policy against a real agent: each container gets the limit
 * computed from its own usage history (the limits panel's function); a container with too little
 * history is listed as skipped with why; the change lands in the cgroup file, is audited, and rolls back.
 */
describe('presets: a rollout of recommended limits', () => {
  let t: TestDatabase;
  let registry: TestRegistry;
  let plane: ReturnType<typeof createControlPlane>;
  let agent: AgentProcess;
  let admin: SessionUser;
  let hostId: string;
  const parent = `stevedore-test-${randomBytes(4).toString('hex')}`;
  const ids = new Map<string, string>();
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', agent.host, ...args]);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const caller = () => plane.callerAs(admin);
  const memoryFile = (name: string) =>
    readCgroupFile('memory', parent, ids.get(name) as string, 'memory.limit_in_bytes');

  before(async () => {
    t = await openTestDatabase('sqlite');
    registry = await startRegistry();
    const image = (await pushBusybox(registry)).reference;
    plane = createControlPlane(t.db);
    ({ admin } = await usersByRole(t.db, 'policy', ['admin']));
    agent = await startAgent({ config: { 'cgroup-parent': parent } });
    hostId = await registerAgentHost(plane, admin, agent, 'policy-a');
    await cli('pull', '-q', image);
    for (const name of ['pp-known', 'pp-new'])
      ids.set(
        name,
        await cli('run', '-d', '--name', name, '--label', 'policy=yes', '--memory', '64m', image, ...SLEEPER),
      );
    // 40 minutes of history for pp-known only (100 MiB working set, 20 % of a CPU), ending 3 minutes ago.
    const now = Math.floor(Date.now() / 1000);
    writeUsageHistory(agent.dataRoot, ids.get('pp-known') as string, {
      fromSec: now - 43 * 60,
      toSec: now - 3 * 60,
      memoryBytes: 100 * MiB,
      cpuPercent: 20,
    });
  });
  after(async () => {
    if (agent) await runCli(['-H', agent.host, 'rm', '-f', ...ids.keys()]);
    await plane?.close();
    await agent?.stop();
    removeCgroupParent(parent);
    await registry?.stop();
    await t?.close();
  });

  test('preview: old → recommended per container; too little history is skipped with why', async () => {
    const preset = await caller().presets.create({
      name: 'policy-any',
      description: '',
      limits: { PidsLimit: 50 },
    });
    const target = { kind: 'labels', selector: 'policy=yes' } as const;
    const policy = {
      kind: 'recommended' as const,
      fields: ['memory' as const],
      headroom: 0.5,
      range: '1h' as const,
    };
    const preview = await caller().presets.preview({ presetId: preset.id, target, policy });
    const known = preview.rows.find((r) => r.containerName === 'pp-known');
    const fresh = preview.rows.find((r) => r.containerName === 'pp-new');
    // 100 MiB with 50 % headroom; only the memory field asked for (no CPU, not the preset's pids limit).
    assert.deepEqual(known?.changes, [{ field: 'Memory', from: 64 * MiB, to: 150 * MiB }]);
    assert.equal(known?.skipped, null);
    assert.deepEqual(fresh?.changes, []);
    assert.match(
      fresh?.skipped ?? '',
      /^not enough usage history: \d+ points? in the last 1h \(30 needed\)$/,
    );
    assert.equal(memoryFile('pp-known'), String(64 * MiB), 'a preview changes nothing');

    const started = await caller().presets.rollout({
      presetId: preset.id,
      target,
      policy,
      stopOnFailure: true,
    });
    const done = await plane.services.presetRollouts.finished(started.id);
    assert.equal(done.status, 'done', 'a skipped container is no failure, even with stop-at-first-failure');
    const byName = new Map(done.results.map((r) => [r.containerName, r]));
    assert.equal(byName.get('pp-known')?.status, 'ok');
    assert.equal(byName.get('pp-new')?.status, 'skipped');
    assert.match(byName.get('pp-new')?.error ?? '', /not enough usage history/);
    assert.equal(memoryFile('pp-known'), String(150 * MiB), 'the recommended limit is in the cgroup file');
    assert.equal(memoryFile('pp-new'), String(64 * MiB), 'the skipped container is untouched');

    const audit = await caller().audit.list({ limit: 20 });
    const update = audit.entries.find(
      (e) => e.action === 'container.update' && e.target === ids.get('pp-known') && e.result === 'ok',
    );
    assert.deepEqual((update?.params as { changes?: unknown } | undefined)?.changes, { Memory: 150 * MiB });
    assert.equal((update?.params as { recommended?: boolean } | undefined)?.recommended, true);
    const rolloutEntry = audit.entries.find((e) => e.action === 'preset.rollout');
    assert.deepEqual((rolloutEntry?.params as { policy?: unknown } | undefined)?.policy, policy);

    const undone = await plane.services.presetRollouts.finished(
      (await caller().presets.rollback({ rolloutId: done.id })).id,
    );
    assert.equal(undone.status, 'done');
    assert.equal(memoryFile('pp-known'), String(64 * MiB), 'rollback restores the value before');
  });

  test("drift reads the kernel: a cgroup file written behind the engine's back shows as drift", async () => {
    const preset = await caller().presets.create({
      name: 'policy-drift',
      description: '',
      limits: { Memory: 96 * MiB },
    });
    const target = { kind: 'selection' as const, containers: [{ hostId, container: 'pp-new' }] };
    const done = await plane.services.presetRollouts.finished(
      (await caller().presets.rollout({ presetId: preset.id, target })).id,
    );
    assert.equal(done.results[0]?.status, 'ok');
    assert.deepEqual(
      (await caller().presets.drift({ presetId: preset.id })).rows,
      [],
      'no drift right after',
    );
    // Not through the engine: its configuration still says 96 MiB.
    writeFileSync(
      join(cgroupDir('memory', parent, ids.get('pp-new') as string), 'memory.limit_in_bytes'),
      String(80 * MiB),
    );
    assert.equal(memoryFile('pp-new'), String(80 * MiB));
    const drift = await caller().presets.drift({ presetId: preset.id });
    assert.equal(drift.rows.length, 1);
    assert.equal(drift.rows[0]?.containerName, 'pp-new');
    assert.equal(drift.rows[0]?.status, 'drifted');
    assert.deepEqual(drift.rows[0]?.differences, [
      { field: 'Memory', expected: 96 * MiB, actual: 80 * MiB, source: 'kernel' },
    ]);
  });
});
