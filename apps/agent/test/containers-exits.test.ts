import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { type AgentProcess, repoRoot } from './harness/agent-process.js';
import { useContainerAgent } from './harness/container-agent.js';
import { until } from './harness/until.js';

describe('containers: exits, OOM, restart policies and live-restore', () => {
  const suite = useContainerAgent();
  const { cli, inspect, runDetached, eventActions } = suite;
  let agent: AgentProcess;
  let image: string;
  before(() => {
    ({ agent, image } = suite);
  });

  test('a memory hog is OOM-killed and says so; the oom and die events are recorded', async () => {
    const since = String(Date.now() / 1000);
    const result = await cli(
      'run',
      '--name',
      'hog',
      '--memory',
      '16m',
      '--memory-swap',
      '16m',
      image,
      'sh',
      '-c',
      'dd if=/dev/zero of=/dev/null bs=64M count=1',
    );
    assert.equal(result.code, 137, result.stderr);
    assert.equal(
      await inspect('hog', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.State.Status}}'),
      'true 137 exited',
    );
    assert.equal(
      existsSync(join(repoRoot, 'oom')),
      false,
      "conmon's oom marker stays in the bundle, not the agent's cwd",
    );
    const actions = await eventActions(since, 'container=hog');
    for (const action of ['create', 'start', 'oom', 'die'])
      assert.ok(actions.includes(action), `${action} in ${actions}`);
    await cli('rm', 'hog');
  });

  test('restart policy on-failure:2 restarts twice, then leaves it exited', async () => {
    const id = await runDetached('--restart', 'on-failure:2', image, 'sh', '-c', 'echo run; exit 4');
    await until(
      'two restarts',
      async () => (await inspect(id, '{{.RestartCount}} {{.State.Status}}')) === '2 exited',
    );
    assert.equal((await cli('logs', id)).stdout, 'run\nrun\nrun\n');
    await cli('rm', id);
  });

  test('live-restore: a kill -9 of the agent leaves containers running; the next agent adopts them and notices exits', async () => {
    const ticker = await runDetached(
      '--name',
      'ticker',
      image,
      'sh',
      '-c',
      'while true; do echo tick; sleep 0.2; done',
    );
    const ender = await runDetached('--name', 'ender', image, 'sh', '-c', 'sleep 2; exit 7');
    const pid = Number(await inspect(ticker, '{{.State.Pid}}'));
    await agent.kill9();
    const before = readFileSync(join(agent.dataRoot, 'containers', ticker, `${ticker}.log`), 'utf8').length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.ok(existsSync(`/proc/${pid}`), 'the container kept running without the agent');
    const grown = readFileSync(join(agent.dataRoot, 'containers', ticker, `${ticker}.log`), 'utf8').length;
    assert.ok(grown > before, 'its log kept growing');
    await agent.restart();
    assert.equal(await inspect(ticker, '{{.State.Status}} {{.State.Pid}}'), `running ${pid}`);
    assert.equal(await inspect(ender, '{{.State.Status}} {{.State.ExitCode}}'), 'exited 7');
    assert.equal((await cli('stop', '-t', '1', ticker)).code, 0, 'the adopted container is controllable');
    await cli('rm', ticker, ender);

    // A container that dies while the agent is down comes back by its restart policy.
    const since = String(Date.now() / 1000);
    const phoenix = await runDetached('--restart', 'always', image, 'sleep', '300');
    const firstPid = Number(await inspect(phoenix, '{{.State.Pid}}'));
    await agent.kill9();
    process.kill(firstPid, 'SIGKILL');
    await until('the container to die', async () => !existsSync(`/proc/${firstPid}`));
    await agent.restart();
    await until(
      'the restart',
      async () => (await inspect(phoenix, '{{.State.Status}} {{.RestartCount}}')) === 'running 1',
    );
    assert.notEqual(Number(await inspect(phoenix, '{{.State.Pid}}')), firstPid);
    const actions = await eventActions(since, `container=${phoenix}`);
    assert.deepEqual(actions.slice(0, 2), ['create', 'start'], 'events from before the crash are kept');
    assert.ok(actions.includes('die') && actions.lastIndexOf('start') > actions.indexOf('die'), `${actions}`);
    await cli('rm', '-f', phoenix);
  });
});
