import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { readCgroupFile, removeCgroupParent } from '@stevedore/agent/test/harness/cgroups';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import type { PresetTarget, Rollout, SessionUser } from '@stevedore/shared';
import { createUser } from '../src/server/db/repositories/users';
import { openTestDatabase, type TestDatabase } from './db/test-database';
import { createControlPlane, waitFor } from './harness/control-plane';

const MiB = 1024 * 1024;
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'];
/** cgroup v1 writes "unlimited" memory as the largest page-aligned value: anything ≥ 2^62 here. */
const unlimitedMemory = (text: string) => BigInt(text) >= 2n ** 62n;

interface Box {
  name: string;
  agent: AgentProcess;
  parent: string;
  hostId: string;
}

/**
 * Presets against two real agents: a preset applied by label across both hosts lands in each
 * container's cgroup files, with a report per container; stop-at-first-failure; rollback restores the
 * values before; a CLI `update` shows as drift until the preset is re-applied.
 */
describe('presets: rollout by label across two agents, rollback, stop at first failure, drift', () => {
  let t: TestDatabase;
  let registry: TestRegistry;
  let plane: ReturnType<typeof createControlPlane>;
  let admin: SessionUser;
  const boxes: Box[] = [];
  /** Container ids by name. */
  const ids = new Map<string, string>();
  const box = (name: string) => boxes.find((b) => b.name === name) as Box;
  const cli = async (b: Box, ...args: string[]) => {
    const result = await runCli(['-H', b.agent.host, ...args]);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const where = new Map<string, Box>();
  const cgroup = (container: string, controller: string, file: string) => {
    const b = where.get(container) as Box;
    return readCgroupFile(controller, b.parent, ids.get(container) as string, file);
  };
  const memoryOf = (container: string) => cgroup(container, 'memory', 'memory.limit_in_bytes');
  const caller = () => plane.callerAs(admin);
  const finished = async (rollout: Rollout) => {
    const done = await plane.services.presetRollouts.finished(rollout.id);
    assert.notEqual(done.status, 'running');
    return done;
  };
  const run = async (b: Box, name: string, labels: string[], ...flags: string[]) => {
    const id = await cli(
      b,
      'run',
      '-d',
      '--name',
      name,
      ...labels.flatMap((l) => ['--label', l]),
      ...flags,
      image,
      ...SLEEPER,
    );
    ids.set(name, id);
    where.set(name, b);
  };
  let image: string;

  before(async () => {
    t = await openTestDatabase('sqlite');
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    plane = createControlPlane(t.db);
    const row = await createUser(t.db, { username: 'presets-admin', passwordHash: 'x', role: 'admin' });
    admin = { id: row.id, username: row.username, role: 'admin' };
    for (const name of ['presets-a', 'presets-b']) {
      const parent = `stevedore-test-${randomBytes(4).toString('hex')}`;
      const agent = await startAgent({ config: { 'cgroup-parent': parent } });
      const b: Box = { name, agent, parent, hostId: '' };
      boxes.push(b);
      b.hostId = (await caller().hosts.create({ name, transport: 'unix', socketPath: agent.socketPath })).id;
      await cli(b, 'pull', '-q', image);
    }
    await waitFor(() => boxes.every((b) => plane.hub.status(b.hostId).state === 'online'));
    await run(box('presets-a'), 'pa-web1', ['tier=web'], '--memory', '64m');
    await run(box('presets-a'), 'pa-web4', ['tier=web']);
    await run(box('presets-a'), 'pa-db', ['tier=db'], '--memory', '64m');
    await run(box('presets-b'), 'pb-web2', ['tier=web']);
    await run(box('presets-b'), 'pb-web3', ['tier=web', 'canary'], '--memory', '48m');
  });
  after(async () => {
    for (const b of boxes) {
      const names = [...where.entries()].filter(([, at]) => at === b).map(([name]) => name);
      if (names.length) await runCli(['-H', b.agent.host, 'rm', '-f', ...names]);
    }
    await plane?.close();
    for (const b of boxes) {
      await b.agent.stop();
      removeCgroupParent(b.parent);
    }
    await registry?.stop();
    await t?.close();
  });

  let applied: Rollout;

  test('a preset applied by label across two agents: preview, then a result per container and the values in the cgroup files', async () => {
    const preset = await caller().presets.create({
      name: 'web-small',
      description: 'front ends',
      limits: { Memory: 128 * MiB, NanoCpus: 500_000_000, PidsLimit: 100 },
    });
    const target = { kind: 'labels', selector: 'tier=web' } as const;
    const preview = await caller().presets.preview({ presetId: preset.id, target });
    assert.deepEqual(preview.rows.map((r) => r.containerName).sort(), [
      'pa-web1',
      'pa-web4',
      'pb-web2',
      'pb-web3',
    ]);
    const web1 = preview.rows.find((r) => r.containerName === 'pa-web1');
    assert.deepEqual(
      web1?.changes.find((c) => c.field === 'Memory'),
      { field: 'Memory', from: 64 * MiB, to: 128 * MiB },
    );
    assert.equal(memoryOf('pa-web1'), String(64 * MiB), 'a preview changes nothing');

    applied = await finished(await caller().presets.rollout({ presetId: preset.id, target }));
    assert.equal(applied.status, 'done');
    assert.deepEqual(
      applied.results.map((r) => [r.hostName, r.containerName, r.status]),
      [
        ['presets-a', 'pa-web1', 'ok'],
        ['presets-a', 'pa-web4', 'ok'],
        ['presets-b', 'pb-web2', 'ok'],
        ['presets-b', 'pb-web3', 'ok'],
      ],
    );
    for (const name of ['pa-web1', 'pa-web4', 'pb-web2', 'pb-web3']) {
      assert.equal(memoryOf(name), String(128 * MiB), `${name}: memory.limit_in_bytes`);
      assert.equal(cgroup(name, 'cpu', 'cpu.cfs_quota_us'), '50000', `${name}: cpu.cfs_quota_us`);
      assert.equal(cgroup(name, 'pids', 'pids.max'), '100', `${name}: pids.max`);
    }
    assert.equal(
      memoryOf('pa-db'),
      String(64 * MiB),
      'a container the selector does not match is left alone',
    );
    const result = applied.results.find((r) => r.containerName === 'pa-web1');
    assert.equal(result?.before?.Memory, 64 * MiB);
    assert.equal(result?.after?.Memory, 128 * MiB);
    assert.equal((await caller().presets.get({ presetId: preset.id })).assigned, 4);

    const audit = await plane.services.audit.list({ action: 'container.update' });
    const entry = audit.entries.find((e) => e.target === ids.get('pa-web1'));
    assert.equal(entry?.result, 'ok');
    assert.ok(entry, 'the container update is in the audit log');
    assert.equal((entry.params.before as { Memory: number }).Memory, 64 * MiB);
    assert.equal((entry.params.after as { Memory: number }).Memory, 128 * MiB);
    assert.equal(entry?.params.preset, 'web-small');
    const summary = await plane.services.audit.list({ action: 'preset.rollout' });
    assert.equal(summary.entries[0]?.params.ok, 4);
  });

  test('rollback re-applies the values each container had before, with its own report', async () => {
    const rollback = await finished(await caller().presets.rollback({ rolloutId: applied.id }));
    assert.equal(rollback.kind, 'rollback');
    assert.equal(rollback.rollbackOf, applied.id);
    assert.deepEqual(
      rollback.results.map((r) => [r.containerName, r.status]),
      applied.results.map((r) => [r.containerName, 'ok']),
    );
    assert.equal(memoryOf('pa-web1'), String(64 * MiB));
    assert.equal(memoryOf('pb-web3'), String(48 * MiB));
    assert.ok(unlimitedMemory(memoryOf('pa-web4')), `pa-web4 unlimited again: ${memoryOf('pa-web4')}`);
    assert.ok(unlimitedMemory(memoryOf('pb-web2')), `pb-web2 unlimited again: ${memoryOf('pb-web2')}`);
    for (const name of ['pa-web1', 'pa-web4', 'pb-web2', 'pb-web3']) {
      assert.equal(cgroup(name, 'cpu', 'cpu.cfs_quota_us'), '-1', `${name}: CPU quota cleared`);
      assert.equal(cgroup(name, 'pids', 'pids.max'), 'max', `${name}: pids limit cleared`);
    }
    const preset = await caller().presets.get({ presetId: applied.presetId });
    assert.equal(preset.assigned, 0, 'rolled-back containers no longer count as given the preset');
    await assert.rejects(caller().presets.rollback({ rolloutId: rollback.id }), /cannot be rolled back/);
  });

  test('stop at the first failure: the engine refuses one container and the next is not touched', async () => {
    // A reservation above a container's memory limit is refused by the engine's own check.
    const preset = await caller().presets.create({
      name: 'reserve-96m',
      limits: { MemoryReservation: 96 * MiB },
    });
    const a = box('presets-a');
    const target: PresetTarget = {
      kind: 'selection',
      containers: [
        { hostId: a.hostId, container: 'pa-web4' },
        { hostId: a.hostId, container: 'pa-web1' },
      ],
    };
    const softBefore = cgroup('pa-web4', 'memory', 'memory.soft_limit_in_bytes');
    const stopped = await finished(
      await caller().presets.rollout({ presetId: preset.id, target, stopOnFailure: true }),
    );
    assert.equal(stopped.status, 'stopped');
    // Containers go in name order within a host: pa-web1 first (refused), pa-web4 never reached.
    assert.deepEqual(
      stopped.results.map((r) => [r.containerName, r.status]),
      [
        ['pa-web1', 'error'],
        ['pa-web4', 'skipped'],
      ],
    );
    assert.match(stopped.results[0]?.error ?? '', /reservation/i);
    assert.equal(cgroup('pa-web4', 'memory', 'memory.soft_limit_in_bytes'), softBefore);

    const carried = await finished(await caller().presets.rollout({ presetId: preset.id, target }));
    assert.equal(carried.status, 'done');
    assert.deepEqual(
      carried.results.map((r) => [r.containerName, r.status]),
      [
        ['pa-web1', 'error'],
        ['pa-web4', 'ok'],
      ],
      'without the option the others go on',
    );
    assert.equal(cgroup('pa-web4', 'memory', 'memory.soft_limit_in_bytes'), String(96 * MiB));
  });

  test('a CLI update shows as drift on the preset until it is re-applied', async () => {
    const presets = await caller().presets.list();
    const preset = presets.find((p) => p.name === 'web-small');
    assert.ok(preset);
    const target = { kind: 'labels', selector: 'tier=web,canary' } as const;
    const once = await finished(await caller().presets.rollout({ presetId: preset.id, target }));
    assert.deepEqual(
      once.results.map((r) => [r.containerName, r.status]),
      [['pb-web3', 'ok']],
    );
    assert.deepEqual((await caller().presets.drift({ presetId: preset.id })).rows, []);

    await cli(box('presets-b'), 'update', '--memory', '96m', 'pb-web3');
    const drift = await caller().presets.drift({});
    const row = drift.rows.find((r) => r.containerName === 'pb-web3');
    assert.equal(row?.status, 'drifted');
    assert.equal(row?.presetName, 'web-small');
    assert.deepEqual(row?.differences, [
      { field: 'Memory', expected: 128 * MiB, actual: 96 * MiB, source: 'configuration' },
    ]);

    await finished(
      await caller().presets.rollout({
        presetId: preset.id,
        target: { kind: 'selection', containers: [{ hostId: row.hostId, container: row.containerId }] },
      }),
    );
    assert.equal(memoryOf('pb-web3'), String(128 * MiB));
    assert.deepEqual((await caller().presets.drift({ presetId: preset.id })).rows, []);
  });

  test('an operator changes containers only on the hosts granted to them; the others are reported, not touched', async () => {
    const row = await createUser(t.db, { username: 'presets-operator', passwordHash: 'x', role: 'operator' });
    const operator: SessionUser = { id: row.id, username: row.username, role: 'operator' };
    await caller().users.setHosts({ userId: operator.id, hostIds: [box('presets-a').hostId] });
    const preset = await caller().presets.create({ name: 'pids-50', limits: { PidsLimit: 50 } });
    await assert.rejects(
      plane.callerAs(operator).presets.update({ presetId: preset.id, description: 'mine now' }),
      /needs the admin role/,
    );
    const rollout = await finished(
      await plane
        .callerAs(operator)
        .presets.rollout({ presetId: preset.id, target: { kind: 'labels', selector: 'tier=web' } }),
    );
    assert.deepEqual(
      rollout.results.map((r) => [r.containerName, r.status]),
      [
        ['pa-web1', 'ok'],
        ['pa-web4', 'ok'],
        ['pb-web2', 'error'],
        ['pb-web3', 'error'],
      ],
    );
    assert.match(rollout.results[2]?.error ?? '', /may not operate host presets-b/);
    assert.equal(cgroup('pa-web1', 'pids', 'pids.max'), '50');
    assert.equal(cgroup('pb-web2', 'pids', 'pids.max'), 'max');
  });
});
