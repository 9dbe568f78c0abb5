import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { HealthState } from '@stevedore/shared';
import type { AgentProcess } from './harness/agent-process.js';
import { useContainerAgent } from './harness/container-agent.js';
import { pushBusyboxWithHealthcheck } from './harness/test-images.js';
import { until } from './harness/until.js';

const MS = 1_000_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('healthchecks: --health-* and HEALTHCHECK, State.Health, ps, events', () => {
  const suite = useContainerAgent();
  const { cli, runDetached } = suite;
  let agent: AgentProcess;
  let image: string;
  before(() => {
    ({ agent, image } = suite);
  });

  const inspected = async (id: string) => {
    const result = await cli('inspect', id);
    assert.equal(result.code, 0, result.stderr);
    return (
      JSON.parse(result.stdout) as Array<{
        State: { Health?: HealthState };
        Config: { Healthcheck?: unknown };
      }>
    )[0]!;
  };
  const health = async (id: string) => (await inspected(id)).State.Health;
  const healthBecomes = (id: string, status: HealthState['Status'], ms = 15_000) =>
    until(
      `${id.slice(0, 12)} to be ${status}`,
      async () => {
        const now = await health(id);
        return now?.Status === status ? now : null;
      },
      ms,
    );
  const psStatus = async (id: string) => {
    const result = await cli('ps', '-a', '--no-trunc', '--filter', `id=${id}`, '--format', '{{.Status}}');
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };
  /** The container's event actions since `since`, whole ("health_status: healthy" has a space). */
  const actionsOf = async (since: string, id: string) => {
    const until = String(Date.now() / 1000 + 1);
    const result = await cli('events', '--since', since, '--until', until, '--filter', `container=${id}`);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => / container (.+?) [0-9a-f]{64} /.exec(line)?.[1] ?? line);
  };
  const psIds = async (filter: string) => {
    const result = await cli('ps', '-aq', '--no-trunc', '--filter', filter);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.split('\n').filter(Boolean);
  };

  test('a passing probe makes it healthy: inspect, ps STATUS and --filter health=, one health_status event', async () => {
    const since = String(Date.now() / 1000);
    const id = await runDetached(
      '--health-cmd',
      'echo fine',
      '--health-interval',
      '200ms',
      image,
      'sleep',
      '300',
    );
    const healthy = await healthBecomes(id, 'healthy');
    assert.equal(healthy.FailingStreak, 0);
    assert.equal(healthy.Log[0]?.ExitCode, 0);
    assert.equal(healthy.Log[0]?.Output, 'fine\n');
    assert.ok(Date.parse(healthy.Log[0]!.End) >= Date.parse(healthy.Log[0]!.Start));
    assert.match(await psStatus(id), /^Up .+ \(healthy\)$/);
    assert.deepEqual(await psIds('health=healthy'), [id]);
    const plain = await runDetached(image, 'sleep', '300');
    assert.deepEqual(await psIds('health=none'), [plain]);
    assert.equal((await inspected(plain)).State.Health, undefined, 'no Health without a healthcheck');
    await until('five results in the log', async () => ((await health(id))?.Log.length ?? 0) >= 5);
    await sleep(600);
    assert.equal((await health(id))?.Log.length, 5, 'the log keeps the last five');
    const actions = await actionsOf(since, id);
    assert.deepEqual(
      actions.filter((action) => action.startsWith('health_status')),
      ['health_status: healthy'],
      'one event per change of status',
    );
    assert.ok(
      !actions.some((action) => action.startsWith('exec_')),
      `probes publish no exec events: ${actions}`,
    );
    const refused = await cli('ps', '--filter', 'health=sick');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Unrecognised filter value for health: sick/);
    await cli('rm', '-f', id, plain);
  });

  test('a failing probe turns it unhealthy after the retries; starting until then', async () => {
    const since = String(Date.now() / 1000);
    const waiting = await runDetached(
      '--health-cmd',
      'true',
      '--health-interval',
      '1h',
      image,
      'sleep',
      '300',
    );
    assert.equal((await health(waiting))?.Status, 'starting');
    assert.match(await psStatus(waiting), /^Up .+ \(health: starting\)$/);
    assert.deepEqual(await psIds('health=starting'), [waiting]);
    const id = await runDetached(
      '--health-cmd',
      'echo broken >&2; exit 3',
      '--health-interval',
      '200ms',
      '--health-retries',
      '3',
      image,
      'sleep',
      '300',
    );
    const unhealthy = await healthBecomes(id, 'unhealthy');
    assert.ok(unhealthy.FailingStreak >= 3, `streak ${unhealthy.FailingStreak}`);
    assert.ok(unhealthy.Log.length >= 3);
    assert.deepEqual(unhealthy.Log.at(-1)?.ExitCode, 3);
    assert.equal(unhealthy.Log.at(-1)?.Output, 'broken\n');
    assert.match(await psStatus(id), /^Up .+ \(unhealthy\)$/);
    assert.deepEqual(await psIds('health=unhealthy'), [id]);
    assert.deepEqual(
      (await actionsOf(since, id)).filter((action) => action.startsWith('health_status')),
      ['health_status: unhealthy'],
    );
    await cli('rm', '-f', id, waiting);
  });

  test('a probe past its timeout is killed and counts as a failure with exit -1', async () => {
    const id = await runDetached(
      '--health-cmd',
      'sleep 47',
      '--health-timeout',
      '300ms',
      '--health-interval',
      '200ms',
      '--health-retries',
      '1',
      image,
      'sleep',
      '300',
    );
    const unhealthy = await healthBecomes(id, 'unhealthy');
    assert.equal(unhealthy.Log[0]?.ExitCode, -1);
    assert.equal(unhealthy.Log[0]?.Output, 'Health check exceeded timeout (300ms)');
    const took = Date.parse(unhealthy.Log[0]!.End) - Date.parse(unhealthy.Log[0]!.Start);
    assert.ok(took >= 300 && took < 10_000, `the probe ended at its timeout (${took} ms)`);
    await until('three timed-out probes', async () => ((await health(id))?.Log.length ?? 0) >= 3);
    const processes = await cli('top', id);
    assert.equal(processes.code, 0, processes.stderr);
    const probes = processes.stdout.split('\n').filter((line) => line.includes('sleep 47'));
    assert.ok(
      probes.length <= 1,
      `only the probe running now is left, not the timed-out ones:\n${processes.stdout}`,
    );
    await cli('rm', '-f', id);
  });

  test('failures inside the start period do not count while starting', async () => {
    const id = await runDetached(
      '--health-cmd',
      'exit 1',
      '--health-interval',
      '200ms',
      '--health-start-period',
      '10s',
      '--health-start-interval',
      '100ms',
      '--health-retries',
      '1',
      image,
      'sleep',
      '300',
    );
    await until('probes in the start period', async () => ((await health(id))?.Log.length ?? 0) >= 3);
    const early = await health(id);
    assert.equal(early?.Status, 'starting');
    assert.equal(early?.FailingStreak, 0);
    const unhealthy = await healthBecomes(id, 'unhealthy');
    const last = unhealthy.Log.at(-1)!;
    const startedAt = Date.parse(await suite.inspect(id, '{{.State.StartedAt}}'));
    assert.ok(
      Date.parse(last.Start) - startedAt >= 10_000,
      'the counted failure came after the start period',
    );
    await cli('rm', '-f', id);
  });

  test("an image's HEALTHCHECK runs unless --no-healthcheck; --health-* fields override it field by field", async () => {
    const pushed = await pushBusyboxWithHealthcheck(suite.registry, {
      Test: ['CMD-SHELL', 'test -f /tmp/ready'],
      Interval: 200 * MS,
      Retries: 1,
    });
    assert.equal((await cli('pull', '-q', pushed.reference)).code, 0);
    const id = await runDetached(pushed.reference);
    assert.deepEqual((await inspected(id)).Config.Healthcheck, {
      Test: ['CMD-SHELL', 'test -f /tmp/ready'],
      Interval: 200 * MS,
      Retries: 1,
    });
    await healthBecomes(id, 'unhealthy');
    assert.equal((await cli('exec', id, 'touch', '/tmp/ready')).code, 0);
    await healthBecomes(id, 'healthy');

    const disabled = await runDetached('--no-healthcheck', pushed.reference);
    // Docker merges the image's other fields under NONE too; NONE alone decides.
    assert.deepEqual((await inspected(disabled)).Config.Healthcheck, {
      Test: ['NONE'],
      Interval: 200 * MS,
      Retries: 1,
    });
    await sleep(500);
    assert.equal((await inspected(disabled)).State.Health, undefined);
    assert.ok((await psIds('health=none')).includes(disabled));

    const slower = await runDetached('--health-interval', '1h', pushed.reference);
    const config = (await inspected(slower)).Config.Healthcheck as { Test: string[]; Interval: number };
    assert.deepEqual(config.Test, ['CMD-SHELL', 'test -f /tmp/ready'], "the image's test is kept");
    assert.equal(config.Interval, 3600 * 1000 * MS);
    await sleep(500);
    assert.equal((await health(slower))?.Status, 'starting');
    assert.equal((await health(slower))?.Log.length, 0);
    await cli('rm', '-f', id, disabled, slower);
    await cli('rmi', pushed.reference);
  });

  test('probes stop while paused or stopped; a start begins again from starting with the log kept', async () => {
    // Slow enough that a CLI round trip after `start` comes before the first probe.
    const id = await runDetached('--health-cmd', 'true', '--health-interval', '3s', image, 'sleep', '300');
    await healthBecomes(id, 'healthy');
    assert.equal((await cli('pause', id)).code, 0);
    const paused = await health(id);
    await sleep(4000);
    assert.deepEqual(await health(id), paused, 'no probe while paused');
    assert.match(await psStatus(id), /\(Paused\)$/);
    const unpaused = Date.now();
    assert.equal((await cli('unpause', id)).code, 0);
    await until('probes again', async () =>
      (await health(id))?.Log.some((entry) => Date.parse(entry.Start) >= unpaused),
    );
    assert.equal((await cli('stop', '-t', '1', id)).code, 0);
    const stopped = await health(id);
    await sleep(3500);
    assert.deepEqual(await health(id), stopped, 'no probe while stopped');
    assert.match(await psStatus(id), /^Exited/);
    assert.equal((await cli('start', id)).code, 0);
    const restarted = await health(id);
    assert.equal(restarted?.Status, 'starting');
    assert.equal(restarted?.FailingStreak, 0);
    assert.deepEqual(restarted?.Log, stopped?.Log, 'the log is kept across the start');
    await healthBecomes(id, 'healthy');
    await cli('rm', '-f', id);
  });

  test('the health survives an agent restart and the adopted container is probed again', async () => {
    const id = await runDetached(
      '--health-cmd',
      'exit 1',
      '--health-interval',
      '300ms',
      '--health-retries',
      '2',
      image,
      'sleep',
      '300',
    );
    await healthBecomes(id, 'unhealthy');
    await agent.kill9();
    const down = Date.now();
    await agent.restart();
    const after = await health(id);
    assert.equal(after?.Status, 'unhealthy', 'the status was kept');
    await until('a probe by the new agent', async () =>
      (await health(id))?.Log.some((entry) => Date.parse(entry.Start) > down),
    );
    assert.equal((await cli('exec', id, 'true')).code, 0);
    await cli('rm', '-f', id);
  });

  test('run refuses bad health flags with exit 125, as Docker does', async () => {
    const cases: [string[], RegExp][] = [
      [['--health-interval', '-1s'], /--health-interval cannot be negative/],
      [['--no-healthcheck', '--health-retries', '2'], /--no-healthcheck conflicts with --health-\* options/],
      [
        ['--health-timeout', 'later'],
        /invalid argument "later" for "--health-timeout" flag: time: invalid duration "later"/,
      ],
      [
        ['--health-cmd', 'true', '--health-interval', '10us'],
        /Interval in Healthcheck cannot be less than 1ms/,
      ],
    ];
    for (const [flags, message] of cases) {
      const result = await cli('run', '-d', ...flags, image, 'true');
      assert.equal(result.code, 125, `${flags.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.deepEqual(await psIds('status=created'), [], 'nothing was created');
  });
});
