import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { busyboxLayer, pushBusybox, pushImage } from '@stevedore/agent/test/harness/test-images';
import type { SessionUser } from '@stevedore/shared';
import { openTestDatabase, type TestDatabase } from './db/test-database';
import { createControlPlane, registerAgentHost, usersByRole } from './harness/control-plane';

/**
 * The Disk tab's server side against a real agent: data-root facts and df (with logs), target
 * checks that change nothing, log rotation written to daemon.json, a prune policy's dry run and
 * runs (by hand and by the scheduler) removing a real dangling image, a migration cancelled
 * mid-copy (rolled back by the agent) and one followed to the end on the new root.
 */
describe('disk: data-root, df, log rotation, prune policies, data-root migration', () => {
  let t: TestDatabase;
  let registry: TestRegistry;
  let agent: AgentProcess;
  let plane: ReturnType<typeof createControlPlane>;
  let admin: SessionUser;
  let viewer: SessionUser;
  let hostId: string;
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', agent.host, ...args]);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const asAdmin = () => plane.callerAs(admin);
  const asViewer = () => plane.callerAs(viewer);

  before(async () => {
    t = await openTestDatabase('sqlite');
    registry = await startRegistry();
    // A slow copy, so that a cancel lands mid-copy; restarted without it for the full migration.
    agent = await startAgent({ dataRootInConfig: true, env: { STEVEDORE_TEST_RSYNC_BWLIMIT: '64' } });
    plane = createControlPlane(t.db, { migrationTiming: { pollMs: 100 } });
    ({ admin, viewer } = await usersByRole(t.db, 'disk', ['admin', 'viewer']));
    hostId = await registerAgentHost(plane, admin, agent, 'disk-host');
  });

  after(async () => {
    await plane?.close();
    await agent?.stop();
    await registry?.stop();
    await t?.close();
  });

  test('overview: the data-root with its filesystem and space; df has a Logs row counting log files', async () => {
    const { reference } = await pushBusybox(registry);
    await cli('pull', '-q', reference);
    await cli(
      'run',
      '--name',
      'talker',
      '--log-opt',
      'max-size=1k',
      '--log-opt',
      'max-file=3',
      reference,
      'sh',
      '-c',
      'i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done',
    );
    const { dataRoot, df } = await asViewer().disk.overview({ hostId });
    assert.equal(dataRoot.path, agent.dataRoot);
    assert.ok(dataRoot.filesystem.type.length > 0 && dataRoot.filesystem.mountPoint.startsWith('/'));
    assert.ok(dataRoot.totalBytes > 0 && dataRoot.freeBytes > 0 && dataRoot.usedBytes <= dataRoot.totalBytes);
    assert.equal(dataRoot.migratable, true);
    const logs = df.find((row) => row.type === 'Logs');
    assert.ok(logs, 'a Logs row');
    assert.ok(logs.total >= 2, `the log and at least one rotated file: ${logs.total}`);
    assert.ok(logs.size > 1000, `bytes of the logs: ${logs.size}`);
    assert.equal(logs.reclaimable, logs.size, 'the container is stopped: its logs go with it');
    await cli('rm', 'talker');
  });

  test('target checks: inside the root, a non-empty directory, and a good new path (left untouched)', async () => {
    const base = dirname(agent.dataRoot);
    const inside = await asViewer().disk.checkTarget({ hostId, target: join(agent.dataRoot, 'sub') });
    assert.equal(inside.ok, false);
    assert.equal(inside.checks.find((c) => c.name === 'outside')?.ok, false);
    mkdirSync(join(base, 'occupied'));
    writeFileSync(join(base, 'occupied', 'file'), 'x');
    const occupied = await asViewer().disk.checkTarget({ hostId, target: join(base, 'occupied') });
    assert.equal(occupied.checks.find((c) => c.name === 'empty')?.ok, false);
    const fresh = join(base, 'fresh', 'root');
    const good = await asViewer().disk.checkTarget({ hostId, target: fresh });
    assert.deepEqual(
      good.checks.map((c) => [c.name, c.ok]),
      [
        ['outside', true],
        ['empty', true],
        ['space', true],
        ['overlay', true],
      ],
      JSON.stringify(good.checks),
    );
    assert.ok(good.neededBytes > 0);
    assert.ok(!existsSync(join(base, 'fresh')), 'the probe removed what it made');
  });

  test('log rotation: written to daemon.json, shown back; invalid values and viewers refused', async () => {
    const saved = await asAdmin().disk.setLogRotation({ hostId, maxSize: '5m', maxFile: 4 });
    assert.equal(saved.maxSize, '5m');
    assert.equal(saved.maxFile, 4);
    assert.deepEqual((await asViewer().disk.logRotation({ hostId })).maxFile, 4);
    await assert.rejects(
      asAdmin().disk.setLogRotation({ hostId, maxSize: null, maxFile: 2 }),
      /max-file needs max-size/,
    );
    await assert.rejects(
      asAdmin().disk.setLogRotation({ hostId, maxSize: '5 MB', maxFile: null }),
      /max-size/,
    );
    await assert.rejects(asViewer().disk.setLogRotation({ hostId, maxSize: '1m', maxFile: 1 }), /admin role/);
    const cleared = await asAdmin().disk.setLogRotation({ hostId, maxSize: null, maxFile: null });
    assert.equal(cleared.maxSize, null);
    const audit = await t.db.auditLog.findMany({ where: { action: 'disk.logRotation' } });
    assert.ok(audit.some((entry) => entry.result === 'ok' && entry.params.includes('"maxSize":"5m"')));
  });

  test('prune policy: the dry run lists a dangling image, a run removes it and records what it freed', async () => {
    // Its own layer: an image also tagged elsewhere (plain busybox) would not be left dangling.
    const first = await pushImage(
      registry,
      'library/churn',
      'latest',
      [busyboxLayer(), [{ type: 'file', name: 'v1', content: '1' }]],
      { Cmd: ['sh'] },
    );
    await cli('pull', '-q', first.reference);
    const oldId = await cli('image', 'inspect', '--format', '{{.Id}}', first.reference);
    // The same tag pushed again with another layer: the first image loses its tag (dangling).
    await pushImage(
      registry,
      'library/churn',
      'latest',
      [busyboxLayer(), [{ type: 'file', name: 'v2', content: '2' }]],
      {
        Cmd: ['sh'],
      },
    );
    await cli('pull', '-q', first.reference);
    const rules = {
      hostId,
      enabled: false,
      danglingImagesDays: 0,
      stoppedContainersDays: null,
      unusedVolumes: false,
      intervalHours: 24,
    };
    const preview = await asViewer().disk.previewPrune(rules);
    assert.deepEqual(
      preview.items.map((item) => [item.kind, item.id]),
      [['image', oldId]],
    );
    assert.ok(preview.bytes > 0);
    await assert.rejects(asViewer().disk.savePrunePolicy(rules), /admin role/);
    await assert.rejects(asViewer().disk.runPrune({ hostId }), /admin role/);
    await asAdmin().disk.savePrunePolicy(rules);
    const run = await asAdmin().disk.runPrune({ hostId });
    assert.deepEqual(run.errors, []);
    assert.deepEqual(
      run.removed.map((item) => item.id),
      [oldId],
    );
    assert.equal(run.bytesFreed, preview.bytes);
    const images = await cli('images', '-q', '--no-trunc');
    assert.ok(!images.includes(oldId.replace('sha256:', '')), images);
    const runs = await asViewer().disk.pruneRuns({ hostId, limit: 5 });
    assert.equal(runs[0]?.id, run.id);
  });

  test('a policy an earlier dashboard saved in its database moves to the agent once, with its runs still listed', async () => {
    await plane.hub.call(hostId, (client) =>
      client.config.update.mutate({ settings: { 'prune-policy': null } }),
    );
    await t.db.prunePolicy.create({
      data: {
        hostId,
        enabled: true,
        danglingImagesDays: 3,
        stoppedContainersDays: null,
        unusedVolumes: true,
        intervalHours: 12,
        nextRunAt: new Date(Date.now() + 3_600_000),
        updatedBy: admin.username,
      },
    });
    const legacyRun = await t.db.pruneRun.create({
      data: {
        hostId,
        trigger: 'schedule',
        startedAt: new Date(Date.now() - 86_400_000),
        finishedAt: new Date(),
      },
    });
    const policy = await asViewer().disk.prunePolicy({ hostId });
    assert.deepEqual(
      [
        policy.enabled,
        policy.danglingImagesDays,
        policy.stoppedContainersDays,
        policy.unusedVolumes,
        policy.intervalHours,
      ],
      [true, 3, null, true, 12],
    );
    assert.equal(await t.db.prunePolicy.count({ where: { hostId } }), 0, 'gone from the database');
    const { settings } = await plane.hub.call(hostId, (client) => client.config.get.query());
    assert.deepEqual(settings['prune-policy'], {
      enabled: true,
      'dangling-images-days': 3,
      'stopped-containers-days': null,
      'unused-volumes': true,
      'interval-hours': 12,
    });
    assert.ok(policy.nextRunAt && Date.parse(policy.nextRunAt) > Date.now(), 'the agent schedules it');
    const runs = await asViewer().disk.pruneRuns({ hostId, limit: 10 });
    assert.ok(
      runs.some((run) => run.id === legacyRun.id),
      'the runs recorded here are still listed',
    );
    // Saved again from the dashboard: written to the agent, nothing in the database.
    await asAdmin().disk.savePrunePolicy({ ...policy, enabled: false });
    assert.equal(await t.db.prunePolicy.count({ where: { hostId } }), 0);
    assert.equal((await asViewer().disk.prunePolicy({ hostId })).enabled, false);
  });

  test('migration cancelled mid-copy: the agent removes the copy and stays on its root', async () => {
    const target = join(dirname(agent.dataRoot), 'cancelled-root');
    await assert.rejects(asViewer().disk.startMigration({ hostId, target }), /admin role/);
    await asAdmin().disk.startMigration({ hostId, target });
    const deadline = Date.now() + 30_000;
    while ((await plane.services.migrations.get(hostId))?.phase !== 'copying') {
      assert.ok(Date.now() < deadline, 'the copy began');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await assert.rejects(asViewer().disk.cancelMigration({ hostId }), /admin role/);
    await asAdmin().disk.cancelMigration({ hostId });
    const job = await plane.services.migrations.ended(hostId);
    assert.equal(job.status, 'cancelled', JSON.stringify(job));
    assert.ok(!existsSync(target), 'the copy is gone');
    const { dataRoot } = await asViewer().disk.overview({ hostId });
    assert.equal(dataRoot.path, agent.dataRoot);
    assert.equal(dataRoot.migration.last?.outcome, 'cancelled');
    assert.equal(dataRoot.migration.last?.target, target);
  });

  test('migration to the end: every phase, then the agent runs on the new root', async () => {
    await agent.restart({ env: {} });
    // The hub reconnects on its own; the first call that answers shows it has.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answered = await asViewer()
        .disk.overview({ hostId })
        .then(
          () => true,
          () => false,
        );
      if (answered) break;
      assert.ok(Date.now() < deadline, 'the hub reconnected to the restarted agent');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const target = join(dirname(agent.dataRoot), 'moved-root');
    const started = await asAdmin().disk.startMigration({ hostId, target, stopContainers: true });
    assert.equal(started.source, agent.dataRoot);
    const job = await plane.services.migrations.ended(hostId);
    assert.equal(job.status, 'finished', JSON.stringify(job));
    assert.deepEqual(job.phasesSeen, ['checking', 'copying', 'verifying', 'switching', 'restarting']);
    assert.ok((job.bytes ?? 0) > 0 && (job.totalBytes ?? 0) > 0);
    const { dataRoot } = await asViewer().disk.overview({ hostId });
    assert.equal(dataRoot.path, target);
    assert.equal(dataRoot.migration.last?.outcome, 'finished');
    const audit = await t.db.auditLog.findMany({ where: { action: 'disk.migrateDataRoot' } });
    assert.ok(audit.every((entry) => entry.result === 'ok') && audit.length === 2);
  });
});
