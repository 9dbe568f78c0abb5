import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { busyboxLayer, pushImage } from './harness/test-images.js';
import { until } from './harness/until.js';

/**
 * The prune policy belongs to the agent: set in daemon.json (`prune-policy`, live, validated),
 * run by its own scheduler whether or not a dashboard is connected, each run recorded under the
 * data-root and the last run time kept across a restart. An "hour" is 3 s here, the tick 200 ms.
 */
describe('prune policy: the agent runs it on its schedule and records each run', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let connection: AgentConnection;
  const env = { STEVEDORE_TEST_PRUNE_HOUR_MS: '3000', STEVEDORE_TEST_PRUNE_TICK_MS: '200' };

  before(async () => {
    registry = await startRegistry();
    agent = await startAgent({ dataRootInConfig: true, env });
    connection = await connectAgentOnce({ host: agent.host });
  });

  after(async () => {
    await connection?.close();
    await agent?.stop();
    await registry?.stop();
  });

  test('a policy with a short interval prunes a dangling image, records it, and keeps its schedule across a restart', async () => {
    const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });
    const layers = (file: string) => [busyboxLayer(), [{ type: 'file' as const, name: file, content: file }]];
    const first = await pushImage(registry, 'library/churn', 'latest', layers('v1'), { Cmd: ['sh'] });
    assert.equal((await cli('pull', '-q', first.reference)).code, 0);
    const oldId = (await cli('image', 'inspect', '--format', '{{.Id}}', first.reference)).stdout.trim();
    // The tag pushed again with another layer: the first image loses its tag and is dangling.
    await pushImage(registry, 'library/churn', 'latest', layers('v2'), { Cmd: ['sh'] });
    assert.equal((await cli('pull', '-q', first.reference)).code, 0);

    const { client } = connection;
    await assert.rejects(
      client.config.update.mutate({ settings: { 'prune-policy': { enabled: true, 'interval-hours': 0 } } }),
      /prune-policy/,
      'validated by the shared schema',
    );
    const rules = { danglingImagesDays: 0, stoppedContainersDays: null, unusedVolumes: false };
    const preview = await client.system.prunePreview.query(rules);
    assert.deepEqual(
      preview.items.map((item) => [item.kind, item.id]),
      [['image', oldId]],
    );
    assert.ok(preview.bytes > 0);
    assert.deepEqual(await client.system.pruneRuns.query({}), [], 'a dry run is not a run');

    const updated = await client.config.update.mutate({
      settings: {
        'prune-policy': {
          enabled: true,
          'dangling-images-days': 0,
          'stopped-containers-days': null,
          'unused-volumes': false,
          'interval-hours': 1,
        },
      },
    });
    assert.deepEqual(updated.applied, ['prune-policy'], 'live: no restart needed');
    await until('a scheduled run', async () => (await client.system.pruneRuns.query({})).length > 0, 30_000);
    const [run] = await client.system.pruneRuns.query({});
    assert.equal(run?.trigger, 'schedule');
    assert.deepEqual(run?.errors, []);
    assert.deepEqual(
      run?.removed.map((item) => item.id),
      [oldId],
    );
    assert.equal(run?.bytesFreed, preview.bytes);
    const images = (await cli('images', '-q', '--no-trunc')).stdout;
    assert.ok(!images.includes(oldId.replace('sha256:', '')), images);
    const schedule = await client.system.pruneSchedule.query();
    assert.equal(schedule.lastRunAt, run?.startedAt);
    assert.ok(schedule.nextRunAt && Date.parse(schedule.nextRunAt) > Date.parse(run?.startedAt ?? ''));

    await connection.close();
    await agent.restart({ env });
    connection = await connectAgentOnce({ host: agent.host });
    const afterRestart = await connection.client.system.pruneSchedule.query();
    assert.equal(afterRestart.lastRunAt, run?.startedAt, 'the last run time survives the restart');
    const kept = await connection.client.system.pruneRuns.query({});
    assert.equal(kept[0]?.id, run?.id, 'the record survives the restart');
    // The next run comes one interval after the last, not at start-up: nothing left to remove now.
    await until(
      'the next scheduled run',
      async () => (await connection.client.system.pruneRuns.query({})).length > 1,
      30_000,
    );
    const [next] = await connection.client.system.pruneRuns.query({});
    assert.ok(
      Date.parse(next?.startedAt ?? '') >= Date.parse(run?.startedAt ?? '') + 3000,
      `${next?.startedAt} is an interval after ${run?.startedAt}`,
    );
    assert.deepEqual(next?.removed, []);

    await connection.client.config.update.mutate({ settings: { 'prune-policy': null } });
    await assert.rejects(connection.client.system.pruneNow.mutate(), /no prune policy/);
  });
});
