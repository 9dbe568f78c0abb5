import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';

describe('push: blobs mounted across repositories or uploaded, then the manifest; what was pushed pulls back the same', () => {
  let registry: TestRegistry;
  let first: AgentProcess;
  let second: AgentProcess;
  const { cli: cli1 } = agentCli(() => first.host, { timeoutMs: 60_000 });
  const { cli: cli2 } = agentCli(() => second.host, { timeoutMs: 60_000 });

  before(async () => {
    registry = await startRegistry();
    await pushBusybox(registry);
    [first, second] = await Promise.all([startAgent(), startAgent()]);
    assert.equal((await cli1('pull', '-q', `${registry.host}/library/busybox`)).code, 0);
  });
  after(async () => {
    await first?.stop();
    await second?.stop();
    await registry?.stop();
  });

  test('a pulled image pushed to another repository of its registry is mounted, not uploaded', async () => {
    const target = `${registry.host}/team/copy:v1`;
    assert.equal((await cli1('tag', `${registry.host}/library/busybox`, target)).code, 0);
    const pushed = await cli1('push', target);
    assert.equal(pushed.code, 0, pushed.stderr);
    const lines = pushed.stdout.trim().split('\n');
    assert.equal(lines[0], `The push refers to repository [${registry.host}/team/copy]`);
    assert.deepEqual(
      lines.slice(1, -1).map((line) => line.replace(/^[a-f0-9]{12}: /, '')),
      ['Mounted from library/busybox', 'Mounted from library/busybox'],
    );
    assert.match(lines.at(-1) ?? '', /^v1: digest: sha256:[a-f0-9]{64} size: \d+$/);
    const again = await cli1('push', target);
    assert.match(again.stdout, /Layer already exists\n.*Layer already exists\n/s);
  });

  test('a committed image: the base layer is mounted, the new one uploaded; another agent pulls the same image', async () => {
    assert.equal(
      (
        await cli1(
          'run',
          '--name',
          'maker',
          '--network',
          'none',
          `${registry.host}/library/busybox`,
          'sh',
          '-c',
          'echo pushed > /pushed',
        )
      ).code,
      0,
    );
    const target = `${registry.host}/team/made:v2`;
    assert.equal((await cli1('commit', 'maker', target)).code, 0);
    const pushed = await cli1('push', target);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /: Mounted from library\/busybox\n/);
    assert.equal((pushed.stdout.match(/: Pushed\n/g) ?? []).length, 2, 'the new layer and the config');
    const pulled = await cli2('pull', '-q', target);
    assert.equal(pulled.code, 0, pulled.stderr);
    const id1 = (await cli1('image', 'inspect', '--format', '{{.Id}}', target)).stdout;
    const id2 = (await cli2('image', 'inspect', '--format', '{{.Id}}', target)).stdout;
    assert.equal(id2, id1);
    const ran = await cli2('run', '--rm', '--network', 'none', target, 'cat', '/pushed');
    assert.equal(ran.stdout.trim(), 'pushed', ran.stderr);
    const digests = (await cli1('image', 'inspect', '--format', '{{json .RepoDigests}}', target)).stdout;
    assert.match(
      digests,
      new RegExp(`${registry.host}/team/made@sha256:[a-f0-9]{64}`),
      'the pushed digest is recorded',
    );
  });

  test('pushing a tag the agent does not have says so', async () => {
    const missing = await cli1('push', `${registry.host}/team/none:v9`);
    assert.equal(missing.code, 1);
    // Docker's words: the repository without the tag, printed as the daemon streamed it.
    assert.equal(
      missing.stderr,
      `An image does not exist locally with the tag: ${registry.host}/team/none\n`,
    );
  });
});
