import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectAgentOnce } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { busyboxLayer, pushImage } from './harness/test-images.js';
import { until } from './harness/until.js';

/**
 * An image whose layers need every kind of care a copy can get wrong: a hardlink, a whiteout
 * (a 0/0 character device in overlay2), an opaque directory (a trusted.* xattr), a setuid file.
 */
function pushTrickyImage(registry: TestRegistry) {
  return pushImage(
    registry,
    'library/tricky',
    'latest',
    [
      busyboxLayer(),
      [
        { type: 'directory', name: 'data' },
        { type: 'file', name: 'data/a', content: 'alpha' },
        { type: 'link', name: 'data/a-link', target: 'data/a' },
        { type: 'file', name: 'data/gone', content: 'removed by the next layer' },
        { type: 'directory', name: 'opaque' },
        { type: 'file', name: 'opaque/old', content: 'hidden by the next layer' },
        { type: 'file', name: 'bin/suid', content: '#!/bin/sh\n', mode: 0o4755 },
      ],
      [
        { type: 'file', name: 'data/.wh.gone', content: '' },
        { type: 'directory', name: 'opaque' },
        { type: 'file', name: 'opaque/.wh..wh..opq', content: '' },
        { type: 'file', name: 'opaque/new', content: 'only this' },
      ],
    ],
    { Env: ['PATH=/bin'], Cmd: ['sh'] },
  );
}

/** What a container of the tricky image sees: the check that the layers survived a move. */
const IMAGE_VIEW = 'ls /data; ls /opaque; stat -c %h /data/a; stat -c %a /bin/suid; cat /data/a-link';
const EXPECTED_VIEW = 'a\na-link\nnew\n2\n4755\nalpha';

describe('system migrate-root: the data-root moves with running containers, images and volumes', () => {
  let registry: TestRegistry;
  let image: string;
  let agent: AgentProcess;
  const { cli } = agentCli(() => agent.host, { timeoutMs: 120_000 });
  const view = async () => {
    const result = await cli('run', '--rm', '--network', 'none', image, 'sh', '-c', IMAGE_VIEW);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };
  const rootDir = async () => (await cli('info', '--format', '{{.DockerRootDir}}')).stdout.trim();

  before(async () => {
    registry = await startRegistry();
    image = (await pushTrickyImage(registry)).reference;
    agent = await startAgent({ dataRootInConfig: true });
    assert.equal((await cli('pull', '-q', image)).code, 0);
    assert.equal(await view(), EXPECTED_VIEW);
    assert.equal((await cli('volume', 'create', 'keep')).code, 0);
    const started = await cli(
      'run',
      '-d',
      '--stop-timeout',
      '1',
      '--name',
      'app',
      '-v',
      'keep:/vol',
      image,
      'sh',
      '-c',
      'echo kept > /vol/f; exec sleep 300',
    );
    assert.equal(started.code, 0, started.stderr);
  });

  after(async () => {
    await agent?.stop();
    await registry?.stop();
  });

  test('refused while containers run (unless asked to stop them), into a non-empty directory, or inside itself', async () => {
    const base = dirname(agent.dataRoot);
    const running = await cli('system', 'migrate-root', join(base, 'moved'));
    assert.equal(running.code, 1);
    assert.match(running.stderr, /containers are running \(app\)/);
    mkdirSync(join(base, 'full'));
    spawnSync('touch', [join(base, 'full', 'something')]);
    const full = await cli('system', 'migrate-root', '--stop-containers', join(base, 'full'));
    assert.match(full.stderr, /is not empty: migrate into a new or empty directory/);
    const nested = await cli('system', 'migrate-root', '--stop-containers', join(agent.dataRoot, 'sub'));
    assert.match(nested.stderr, /must not contain each other/);
    assert.equal(await rootDir(), agent.dataRoot);
    assert.ok(!existsSync(join(base, 'moved')), 'nothing was made for a refused migration');
  });

  test('same filesystem: copy, verify, switch; the container comes back, content is identical, the old root stays', async () => {
    const base = dirname(agent.dataRoot);
    const target = join(base, 'moved');
    const migrated = await cli('system', 'migrate-root', '--stop-containers', target);
    assert.equal(migrated.code, 0, migrated.stderr);
    const phases = migrated.stdout
      .split('\n')
      .filter((line) => /^[a-z]+: /.test(line))
      .map((line) => line.split(':')[0])
      .filter((phase, i, all) => phase !== all[i - 1]);
    assert.deepEqual(phases, ['checking', 'stopping', 'copying', 'verifying', 'switching', 'restarting']);
    assert.match(migrated.stdout, new RegExp(`Docker Root Dir: ${target}\n`));
    assert.match(
      migrated.stdout,
      /copying: [\d.]+[kMG]?B of [\d.]+[kMG]?B, [1-9]\d* files\n/,
      'the final copy count',
    );
    assert.equal(await rootDir(), target);
    const app = await cli('inspect', '--format', '{{.State.Running}}', 'app');
    assert.equal(app.stdout.trim(), 'true', 'the stopped container was started again');
    assert.equal((await cli('exec', 'app', 'cat', '/vol/f')).stdout.trim(), 'kept');
    assert.equal(await view(), EXPECTED_VIEW);
    assert.ok(existsSync(join(agent.dataRoot, 'overlay2')), 'the old root is kept');
    assert.ok(
      !existsSync(join(target, 'migration.json')) && !existsSync(join(agent.dataRoot, 'migration.json')),
    );
    assert.ok(!readdirSync(target).includes('.stevedore-migration-incomplete'));
  });

  test('across filesystems (a loop-mounted ext4)', async () => {
    const base = dirname(agent.dataRoot);
    const imageFile = join(base, 'ext4.img');
    const mountPoint = join(base, 'ext4');
    mkdirSync(mountPoint);
    assert.equal(spawnSync('truncate', ['-s', '512M', imageFile]).status, 0);
    assert.equal(spawnSync('mkfs.ext4', ['-q', '-F', imageFile]).status, 0);
    const mounted = spawnSync('mount', ['-o', 'loop', imageFile, mountPoint], { encoding: 'utf8' });
    assert.equal(mounted.status, 0, mounted.stderr);
    try {
      const target = join(mountPoint, 'stevedore');
      const migrated = await cli('system', 'migrate-root', '--stop-containers', target);
      assert.equal(migrated.code, 0, migrated.stderr);
      assert.equal(await rootDir(), target);
      assert.equal((await cli('exec', 'app', 'cat', '/vol/f')).stdout.trim(), 'kept');
      assert.equal(await view(), EXPECTED_VIEW);
    } finally {
      // The agent must let go of the filesystem before it can be unmounted.
      await cli('rm', '-f', 'app');
      await agent.stop();
      spawnSync('umount', [mountPoint]);
    }
  });
});

describe('system migrate-root: cancelled mid-copy', () => {
  test('unsubscribing stops rsync, removes the partial copy and starts the stopped container again', async () => {
    const registry = await startRegistry();
    // 200 KB/s: the copy of a few MB takes long enough to be cancelled in the middle.
    const agent = await startAgent({ dataRootInConfig: true, env: { STEVEDORE_TEST_RSYNC_BWLIMIT: '200' } });
    const connection = await connectAgentOnce({ host: agent.host });
    try {
      const image = (await pushTrickyImage(registry)).reference;
      const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });
      assert.equal((await cli('pull', '-q', image)).code, 0);
      assert.equal(
        (await cli('run', '-d', '--stop-timeout', '1', '--name', 'app', image, 'sleep', '300')).code,
        0,
      );
      const target = join(dirname(agent.dataRoot), 'moved');
      const phases: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const subscription = connection.client.system.migrateDataRoot.subscribe(
          { target, stopContainers: true },
          {
            onData: (progress) => {
              phases.push(progress.phase);
              if (progress.phase === 'copying' && (progress.bytes ?? 0) > 0) {
                subscription.unsubscribe();
                resolve();
              }
            },
            onError: reject,
          },
        );
      });
      await until(
        'the rollback',
        async () =>
          !existsSync(target) &&
          (await cli('inspect', '--format', '{{.State.Running}}', 'app')).stdout.trim() === 'true',
      );
      assert.ok(!phases.includes('switching'));
      assert.equal((await cli('info', '--format', '{{.DockerRootDir}}')).stdout.trim(), agent.dataRoot);
      assert.ok(!existsSync(join(agent.dataRoot, 'migration.json')));
      const strays = spawnSync('pgrep', ['-f', `rsync.*${target}`], { encoding: 'utf8' }).stdout.trim();
      assert.equal(strays, '', 'no rsync left copying');
      await cli('rm', '-f', 'app');
    } finally {
      await connection.close();
      await agent.stop();
      await registry.stop();
    }
  });
});

describe('system migrate-root: a crash at any point leaves one root in use, and the next start says which', () => {
  let registry: TestRegistry;
  let image: string;
  before(async () => {
    registry = await startRegistry();
    image = (await pushTrickyImage(registry)).reference;
  });
  after(() => registry?.stop());

  for (const [point, outcome] of [
    ['copying', 'rolled back'],
    ['verifying', 'rolled back'],
    ['switching', 'rolled back'],
    ['switched', 'finished'],
  ] as const) {
    test(`killed at "${point}": ${outcome}`, async () => {
      const agent = await startAgent({ dataRootInConfig: true, env: { STEVEDORE_TEST_CRASH_AT: point } });
      try {
        const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });
        assert.equal((await cli('pull', '-q', image)).code, 0);
        assert.equal(
          (await cli('run', '-d', '--stop-timeout', '1', '--name', 'app', image, 'sleep', '300')).code,
          0,
        );
        const target = join(dirname(agent.dataRoot), 'moved');
        const migrated = await cli('system', 'migrate-root', '--stop-containers', target);
        assert.notEqual(migrated.code, 0, 'the agent died under the command');
        await agent.restart();
        const info = await cli('info', '--format', '{{.DockerRootDir}}|{{json .Warnings}}');
        const [root, warnings] = info.stdout.trim().split('|');
        if (outcome === 'rolled back') {
          assert.equal(root, agent.dataRoot);
          assert.ok(!existsSync(target), 'the partial copy is gone');
          assert.match(
            warnings ?? '',
            /was interrupted and rolled back/,
            `the agent was to die at "${point}"; the command said: ${migrated.stdout}${migrated.stderr}`,
          );
        } else {
          assert.equal(root, target);
          assert.ok(existsSync(join(agent.dataRoot, 'overlay2')), 'the old root is kept');
        }
        assert.ok(!existsSync(join(root ?? '', 'migration.json')));
        const events = await cli(
          'events',
          '--since',
          '0',
          '--until',
          String(Date.now() / 1000 + 1),
          '--filter',
          'type=daemon',
          '--format',
          '{{.Action}} {{index .Actor.Attributes "outcome"}}',
        );
        assert.equal(events.stdout.trim(), `migrate-root ${outcome}`, 'the next start says which');
        const app = await cli('inspect', '--format', '{{.State.Running}}', 'app');
        assert.equal(app.stdout.trim(), 'true', 'the container stopped for the copy runs again');
        const view = await cli('run', '--rm', '--network', 'none', image, 'sh', '-c', IMAGE_VIEW);
        assert.equal(view.stdout.trim(), EXPECTED_VIEW, view.stderr);
        await cli('rm', '-f', 'app');
      } finally {
        await agent.stop();
      }
    });
  }
});
