import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { freePort } from '../../../scripts/free-port.mjs';
import { startAgent } from './harness/agent-process.js';
import { runCli } from './harness/cli-process.js';
import { fetchText, httpd, links, rulesForPort, useNetworkingAgent } from './harness/networking-fixture.js';
import { until } from './harness/until.js';

describe('networking: container endpoints and namespaces (addresses, veths, release after a crash, stats)', () => {
  const net = useNetworkingAgent();
  const { cli, runDetached } = net;

  test('50 concurrent run -d get 50 distinct addresses; rm leaves no veth, namespace or rule', async () => {
    const before = links().length;
    const ids = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const { Id } = await net.client.containers.create.mutate({
          Config: { Image: net.image, Cmd: ['sleep', '300'] },
        });
        await net.client.containers.start.mutate({ container: Id });
        return Id;
      }),
    );
    const addresses = await Promise.all(
      ids.map(
        async (id) =>
          (await net.client.containers.inspect.query({ container: id })).NetworkSettings.IPAddress,
      ),
    );
    assert.equal(new Set(addresses).size, 50, addresses.join(' '));
    assert.equal(links().length, before + 50);
    await Promise.all(ids.map((id) => net.client.containers.remove.mutate({ container: id, force: true })));
    assert.equal(links().length, before);
    assert.deepEqual(readdirSync(`${net.agent.execRoot}/netns`), []);
  });

  test('an agent that dies between telling an exit and releasing the container: the next one releases it', async (t) => {
    const crashing = await startAgent({ env: { STEVEDORE_TEST_CRASH_AT: 'exit-recorded' } });
    t.after(() => crashing.stop());
    const on = (...args: string[]) => runCli(['-H', crashing.host, ...args]);
    assert.equal((await on('pull', '-q', net.image)).code, 0);
    const port = await freePort();
    const created = await on('create', '--name', 'held', '-p', `127.0.0.1:${port}:80`, net.image, 'true');
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    await on('start', '-a', 'held');
    await until(
      'the agent to die',
      async () => crashing.pid === undefined || !existsSync(`/proc/${crashing.pid}`),
    );
    assert.ok(links().includes(`sd${id.slice(0, 8)}0`), 'the veth outlived the agent');
    await crashing.restart();
    assert.equal((await on('inspect', '--format', '{{.State.Status}}', 'held')).stdout.trim(), 'exited');
    assert.ok(!links().includes(`sd${id.slice(0, 8)}0`), 'veth removed');
    assert.equal(rulesForPort(port), 0, 'rules removed');
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(`${id}/merged`), 'rootfs unmounted');
    assert.equal((await on('rm', 'held')).code, 0);
  });

  test('network stats come from the container namespace', async () => {
    await runDetached('--name', 'talker', net.image, ...httpd('stats'));
    const address = (await net.client.containers.inspect.query({ container: 'talker' })).NetworkSettings
      .IPAddress;
    for (let i = 0; i < 5; i++) await fetchText(`http://${address}/`);
    const stats = await cli('stats', '--no-stream', '--format', '{{.NetIO}}', 'talker');
    assert.equal(stats.code, 0, stats.stderr);
    assert.doesNotMatch(stats.stdout.trim(), /^0B \/ 0B$/);
    await cli('rm', '-f', 'talker');
  });
});
