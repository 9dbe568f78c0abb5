import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { removeAgentLeftovers } from './harness/leftovers.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { fillUp, freeBytes, makeSmallDisk, type SmallDisk } from './harness/small-disk.js';
import { type PushedImage, pushBusybox, pushImage } from './harness/test-images.js';
import { until } from './harness/until.js';

// The data-root on a small ext4 of its own, filled to the last block by a container and by the
// host: every command still answers, the full container can be removed, and the agent restarts.
describe('a full data-root', () => {
  let disk: SmallDisk | undefined;
  let mountPoint: string;
  let registry: TestRegistry;
  let agent: AgentProcess;
  let image: string;
  /** An image the agent does not have, to pull on the full disk. */
  let other: PushedImage;
  const { cli, ok } = agentCli(() => agent.host, { timeoutMs: 60_000, trim: true });
  const state = (name: string) => ok('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name);

  before(async () => {
    disk = makeSmallDisk('stevedore-full-', '96M');
    mountPoint = disk.mountPoint;
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    other = await pushImage(registry, 'test/other', 'v1', [
      [{ type: 'file', name: 'data', content: randomBytes(4 * 1024 * 1024) }],
    ]);
    agent = await startAgent({ dataRoot: join(mountPoint, 'data') });
    await ok('pull', '-q', image);
  });
  after(async () => {
    const execRoot = agent?.execRoot;
    await agent?.stop();
    if (execRoot) removeAgentLeftovers(mountPoint, execRoot);
    await registry?.stop();
    disk?.remove();
  });

  test('stop, kill, restart, an exit and rm -f work while the disk is full', async () => {
    for (const name of ['to-stop', 'to-kill', 'to-exit']) {
      await ok('run', '-d', '--name', name, '--network', 'none', image, 'sleep', '100000');
    }
    // On the default bridge: a restart makes its namespace and /etc files again.
    await ok('run', '-d', '--name', 'to-restart', '-p', '127.0.0.1::80', image, 'sleep', '100000');
    // A container that writes into its rootfs until the disk refuses, then stays.
    await ok(
      'run',
      '-d',
      '--name',
      'filler',
      '--network',
      'none',
      image,
      'sh',
      '-c',
      'dd if=/dev/zero of=/big bs=1M; sleep 100000',
    );
    await until('the container to fill the disk', async () => freeBytes(mountPoint) < 1024 * 1024, 60_000);
    fillUp(join(mountPoint, 'host-filler'));
    assert.equal(freeBytes(mountPoint), 0, 'not one block left');

    assert.match(await ok('ps', '-a', '--format', '{{.Names}}'), /filler/);
    await ok('logs', '--tail', '5', 'filler');
    await ok('inspect', 'filler');
    const info = await ok('info', '--format', '{{json .Warnings}}');
    assert.match(info, /no space left/i, 'info warns of the full data-root');

    await ok('stop', '-t', '1', 'to-stop');
    assert.match(await state('to-stop'), /^exited /);
    await ok('kill', 'to-kill');
    await until('the kill', async () => (await state('to-kill')).startsWith('exited'), 20_000);
    await ok('restart', '-t', '1', 'to-restart');
    assert.match(await state('to-restart'), /^running /);

    // A container ending by itself: its exit must be recorded, and the agent must live on.
    const pid = Number(await ok('inspect', '--format', '{{.State.Pid}}', 'to-exit'));
    process.kill(pid, 'SIGKILL');
    await until('the exit to be recorded', async () => (await state('to-exit')) === 'exited 137', 20_000);

    const volume = await cli('volume', 'create', 'on-a-full-disk');
    assert.notEqual(volume.code, 0);
    assert.match(volume.stderr, /no space left on device/i);
    assert.doesNotMatch(volume.stderr, /ENOENT/);

    const pull = await cli('pull', '-q', other.reference);
    assert.notEqual(pull.code, 0);
    assert.match(pull.stderr, /no space left on device/i);

    await ok('rm', '-f', 'filler');
    assert.doesNotMatch(await ok('ps', '-a', '--format', '{{.Names}}'), /filler/);
    assert.ok(freeBytes(mountPoint) > 10 * 1024 * 1024, 'removing the container freed its space');
    // Whatever the failed pull kept goes with a prune.
    await ok('image', 'prune', '-f');
    assert.match(await ok('system', 'df', '--format', '{{.Type}} {{.TotalCount}}'), /Unfinished Downloads 0/);
  });

  test('the agent starts again on a full disk (after kill -9) and says so', async () => {
    fillUp(join(mountPoint, 'host-filler'));
    assert.equal(freeBytes(mountPoint), 0);
    await agent.kill9();
    await agent.restart();
    const info = await ok('info', '--format', '{{json .Warnings}}');
    assert.match(info, /no space left/i);
    assert.match(await state('to-stop'), /^exited /, 'state written while the disk was full survived');
    assert.match(await state('to-exit'), /^exited 137/);
    assert.match(await state('to-restart'), /^running /);
    await ok('stop', '-t', '1', 'to-restart');
    await ok('rm', '-f', 'to-stop', 'to-kill', 'to-restart', 'to-exit');
    assert.equal(await ok('ps', '-aq'), '');
    rmSync(join(mountPoint, 'host-filler'));
  });
});
