import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';

// What the CLI and the records say when the agent goes down while containers run.
describe('the agent goes down under its containers', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let image: string;
  const { cli, ok } = agentCli(() => agent.host, { timeoutMs: 60_000, trim: true });

  before(async () => {
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    agent = await startAgent();
    await ok('pull', '-q', image);
  });
  after(async () => {
    const ids = (await cli('ps', '-aq')).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await cli('rm', '-f', ...ids);
    await agent?.stop();
    await registry?.stop();
  });

  test('a run whose agent dies while it starts the container says so and exits 125', async (t) => {
    // This agent dies as soon as runc has created a container.
    const dying = await startAgent({ env: { STEVEDORE_TEST_CRASH_AT: 'container-created' } });
    t.after(() => dying.stop());
    const onDying = agentCli(dying.host, { timeoutMs: 60_000 });
    const pulled = await onDying.cli('pull', '-q', image);
    assert.equal(pulled.code, 0, pulled.stderr);
    for (const detach of [['-d'], []]) {
      const run = await onDying.cli('run', ...detach, '--network', 'none', image, 'true');
      assert.equal(run.code, 125, run.stderr);
      assert.doesNotMatch(run.stderr, /Unknown error/);
      assert.match(run.stderr, /the agent closed the connection/);
      await dying.restart();
    }
  });

  test('a container that ended while the agent was down keeps its exit time as FinishedAt', async () => {
    await ok('run', '-d', '--name', 'ends-alone', '--network', 'none', image, 'sleep', '100000');
    const pid = Number(await ok('inspect', '--format', '{{.State.Pid}}', 'ends-alone'));
    await agent.kill9();
    const endedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    // Long enough that the restart time cannot pass for the exit time.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const restartedAt = Date.now();
    await agent.restart();
    const finished = Date.parse(await ok('inspect', '--format', '{{.State.FinishedAt}}', 'ends-alone'));
    assert.equal(await ok('inspect', '--format', '{{.State.ExitCode}}', 'ends-alone'), '137');
    assert.ok(
      Math.abs(finished - endedAt) < 1500,
      `FinishedAt ${new Date(finished).toISOString()} is the exit time ${new Date(endedAt).toISOString()}, not the restart at ${new Date(restartedAt).toISOString()}`,
    );
  });
});
