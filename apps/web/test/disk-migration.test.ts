import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import type { MigrationJob, SessionUser } from '@stevedore/shared';
import { openTestDatabase, type TestDatabase } from './db/test-database';
import { createControlPlane, registerAgentHost, usersByRole } from './harness/control-plane';

type Plane = ReturnType<typeof createControlPlane>;

/** A web server as after a restart: new services on the same database, reconnected to the hosts. */
async function restartedPlane(t: TestDatabase): Promise<Plane> {
  const plane = createControlPlane(t.db, { migrationTiming: { pollMs: 100 } });
  await plane.services.hosts.connectAll();
  return plane;
}

async function migrationWhere(
  plane: Plane,
  hostId: string,
  check: (job: MigrationJob | null) => boolean,
  what: string,
): Promise<MigrationJob | null> {
  const deadline = Date.now() + 60_000;
  let last: MigrationJob | null | string = null;
  for (;;) {
    const job = await plane.services.migrations.get(hostId).catch((error: Error) => {
      last = error.message;
      return undefined;
    });
    if (job !== undefined) {
      last = job;
      if (check(job)) return job;
    }
    assert.ok(Date.now() < deadline, `${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A data-root migration belongs to the agent: the dashboard's web server may restart under it
 * (the migration goes on, the new server shows it live and then done), and the agent may be
 * killed under it (its next start finishes or rolls back, and the dashboard shows which).
 */
describe('disk: a data-root migration outlives the web server and shows a crash outcome', () => {
  let t: TestDatabase;
  let admin: SessionUser;
  let viewer: SessionUser;
  const agents: AgentProcess[] = [];
  const planes: Plane[] = [];

  before(async () => {
    t = await openTestDatabase('sqlite');
    ({ admin, viewer } = await usersByRole(t.db, 'migrate', ['admin', 'viewer']));
  });

  after(async () => {
    for (const plane of planes) await plane.close();
    for (const agent of agents) await agent.stop();
    await t?.close();
  });

  test('the web server restarts mid-copy: the migration runs to its end and the new server shows it', async () => {
    // 1 MiB/s over 6 MiB of ballast: a copy of several seconds.
    const agent = await startAgent({ dataRootInConfig: true, env: { STEVEDORE_TEST_RSYNC_BWLIMIT: '1024' } });
    agents.push(agent);
    writeFileSync(join(agent.dataRoot, 'ballast'), randomBytes(6 * 1024 * 1024));
    const first = createControlPlane(t.db, { migrationTiming: { pollMs: 100 } });
    const hostId = await registerAgentHost(first, admin, agent, 'outlives-web');
    const target = join(dirname(agent.dataRoot), 'moved-root');
    await first.callerAs(admin).disk.startMigration({ hostId, target });
    await migrationWhere(first, hostId, (job) => job?.phase === 'copying', 'the copy began');
    // The web server goes away: its hub and every connection to the agent close.
    await first.close();

    const second = await restartedPlane(t);
    planes.push(second);
    const live = await migrationWhere(
      second,
      hostId,
      (job) => job !== null,
      'the restarted web server sees the migration',
    );
    assert.equal(live?.status, 'running', JSON.stringify(live));
    assert.ok(live?.phase === 'copying' || live?.phase === 'verifying', JSON.stringify(live));
    assert.equal(live?.startedBy, admin.username);
    assert.equal(live?.target, target);
    const job = await second.services.migrations.ended(hostId);
    assert.equal(job.status, 'finished', JSON.stringify(job));
    assert.deepEqual(job.phasesSeen, ['checking', 'copying', 'verifying', 'switching', 'restarting']);
    assert.ok((job.bytes ?? 0) >= 6 * 1024 * 1024, JSON.stringify(job));
    const { dataRoot } = await second.callerAs(viewer).disk.overview({ hostId });
    assert.equal(dataRoot.path, target);
    assert.ok(existsSync(join(target, 'ballast')));

    // A third server, started after the end, shows the same ending.
    const third = await restartedPlane(t);
    planes.push(third);
    const shown = await migrationWhere(third, hostId, (j) => j !== null, 'the ending is shown');
    assert.equal(shown?.status, 'finished');
    assert.equal(shown?.startedBy, admin.username);
  });

  for (const [point, outcome] of [
    ['copying', 'rolled back'],
    ['switched', 'finished'],
  ] as const) {
    test(`the agent is killed at "${point}": its next start decides (${outcome}) and the Disk tab says so`, async () => {
      const agent = await startAgent({ dataRootInConfig: true, env: { STEVEDORE_TEST_CRASH_AT: point } });
      agents.push(agent);
      writeFileSync(join(agent.dataRoot, 'ballast'), randomBytes(256 * 1024));
      const plane = createControlPlane(t.db, { migrationTiming: { pollMs: 100 } });
      planes.push(plane);
      const hostId = await registerAgentHost(plane, admin, agent, `crash-at-${point}`);
      const target = join(dirname(agent.dataRoot), `moved-${point}`);
      await plane.callerAs(admin).disk.startMigration({ hostId, target });
      // The agent killed itself (SIGKILL) at the crash point: nobody answers; the page says it waits.
      const waiting = await migrationWhere(
        plane,
        hostId,
        (job) => job?.status === 'reconnecting',
        'the dashboard waits for the killed agent',
      );
      assert.equal(waiting?.target, target);
      assert.equal(await agent.kill9(), null, 'the agent died of SIGKILL');
      await agent.restart({ env: {} });
      const job = await plane.services.migrations.ended(hostId);
      assert.equal(job.status, outcome, JSON.stringify(job));
      assert.equal(job.target, target);
      assert.equal(job.startedBy, admin.username);
      if (outcome === 'rolled back') {
        assert.match(job.message, /was interrupted and rolled back/);
        assert.deepEqual(job.phasesSeen, [], 'the journal keeps no progress of a copy a crash cut short');
        assert.ok(!existsSync(target), 'the partial copy is gone');
      } else {
        assert.deepEqual(job.phasesSeen, ['checking', 'copying', 'verifying', 'switching', 'restarting']);
      }
      const { dataRoot } = await plane.callerAs(viewer).disk.overview({ hostId });
      assert.equal(dataRoot.path, outcome === 'finished' ? target : agent.dataRoot);
      // A web server started after it all shows the same ending.
      const fresh = await restartedPlane(t);
      planes.push(fresh);
      const shown = await migrationWhere(fresh, hostId, (j) => j !== null, 'the ending is shown');
      assert.equal(shown?.status, outcome);
    });
  }
});
