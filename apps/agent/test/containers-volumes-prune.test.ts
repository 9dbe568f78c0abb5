import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { AgentProcess } from './harness/agent-process.js';
import { runCli } from './harness/cli-process.js';
import { useContainerAgent } from './harness/container-agent.js';
import type { TestRegistry } from './harness/registry.js';
import { pushImage } from './harness/test-images.js';
import { until } from './harness/until.js';

describe('containers: volumes, system df and the prunes', () => {
  const suite = useContainerAgent();
  const { cli, inspect, runDetached } = suite;
  let agent: AgentProcess;
  let image: string;
  let registry: TestRegistry;
  before(() => {
    ({ agent, image, registry } = suite);
  });

  test('volumes: named volumes keep data across containers; binds honour :ro; rm -v removes anonymous ones', async () => {
    const hostDir = mkdtempSync('/tmp/stevedore-bind-');
    try {
      writeFileSync(join(hostDir, 'from-host'), 'hello from the host\n');
      assert.equal(
        (await cli('run', '--rm', '-v', 'appdata:/data', image, 'sh', '-c', 'echo kept > /data/file')).code,
        0,
      );
      const again = await cli(
        'run',
        '--rm',
        '-v',
        'appdata:/data',
        '-v',
        `${hostDir}:/host:ro`,
        image,
        'sh',
        '-c',
        'cat /data/file; cat /host/from-host; touch /host/x 2>/dev/null || echo read-only',
      );
      assert.equal(again.stdout, 'kept\nhello from the host\nread-only\n');
      assert.equal((await cli('volume', 'ls', '-q')).stdout, 'appdata\n');
      const inUse = await runDetached('-v', 'appdata:/data', image, 'sleep', '300');
      const refused = await cli('volume', 'rm', 'appdata');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /volume is in use/);
      await cli('rm', '-f', inUse);
      assert.equal((await cli('volume', 'rm', 'appdata')).code, 0);

      // An image's VOLUME gets an anonymous volume, filled from the image's content there.
      const withVolume = await pushImage(
        registry,
        'test/with-volume',
        'v1',
        [
          [
            { type: 'directory', name: 'bin' },
            { type: 'file', name: 'bin/busybox', content: readFileSync('/bin/busybox'), mode: 0o755 },
            { type: 'symlink', name: 'bin/sh', target: 'busybox' },
            { type: 'symlink', name: 'bin/cat', target: 'busybox' },
            { type: 'directory', name: 'seed' },
            { type: 'file', name: 'seed/initial', content: 'from the image\n' },
          ],
        ],
        { Volumes: { '/seed': {} }, Labels: { 'org.example.role': 'seeded' }, Cmd: ['cat', '/seed/initial'] },
      );
      const seeded = await cli('run', '--name', 'seeded', withVolume.reference);
      assert.equal(seeded.stdout, 'from the image\n');
      assert.equal(
        await inspect(
          'seeded',
          '{{range .Mounts}}{{.Type}} {{.Destination}}{{end}} {{index .Config.Labels "org.example.role"}}',
        ),
        'volume /seed seeded',
      );
      await cli('rm', '-v', 'seeded');

      const anonymous = await runDetached('-v', '/scratch', image, 'sleep', '300');
      const volume = await inspect(anonymous, '{{range .Mounts}}{{.Name}}{{end}}');
      assert.match(volume, /^[a-f0-9]{64}$/);
      await cli('rm', '-f', '-v', anonymous);
      assert.equal(existsSync(join(agent.dataRoot, 'volumes', volume)), false);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  test('system df counts images, containers and volumes; prunes ask first and report what they freed; history lists layers', async () => {
    const writer = await cli(
      'run',
      '--name',
      'writer',
      '-v',
      '/anon',
      image,
      'sh',
      '-c',
      'dd if=/dev/zero of=/big bs=1024 count=512 2>/dev/null',
    );
    assert.equal(writer.code, 0, writer.stderr);
    const df = await cli('system', 'df', '--format', '{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}');
    const rows = Object.fromEntries(
      df.stdout
        .trim()
        .split('\n')
        .map((line) => [line.split('|')[0], line.split('|').slice(1)]),
    );
    assert.deepEqual(rows.Containers?.slice(0, 2), ['1', '0']);
    assert.match(rows.Containers![2]!, /^5\d\d(\.\d)?kB$/, `the 512 KiB written: ${rows.Containers}`);
    assert.deepEqual(rows['Local Volumes']?.slice(0, 2), ['1', '1']);
    assert.equal(rows.Images?.[1], '1', 'busybox is in use by the stopped container');
    const verbose = await cli('system', 'df', '-v');
    assert.equal(verbose.code, 0, verbose.stderr);
    const sections = verbose.stdout.split('\n\n');
    assert.match(sections[0] ?? '', /^Images space usage:$/);
    assert.match(
      sections[1] ?? '',
      /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n(.*\n)*.*busybox +latest +[a-f0-9]{12} .* 1(\n|$)/,
    );
    assert.match(verbose.stdout, /\nwriter\n|writer$/m, 'the container row names the container');
    assert.match(
      verbose.stdout,
      /Containers space usage:\n\nCONTAINER ID .*\n[a-f0-9]{12} .* 1 +5\d\d(\.\d)?kB .*writer/,
    );
    assert.match(
      verbose.stdout,
      /Local Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\n[a-f0-9]{64} +1 +[\d.]+k?B\n/,
    );
    assert.match(verbose.stdout, /Build cache usage: 0B/);

    const declined = await runCli(['-H', agent.host, 'container', 'prune'], {}, 20_000, 'n\n');
    assert.match(
      declined.stdout,
      /WARNING! This will remove all stopped containers\.\nAre you sure you want to continue\? \[y\/N\]/,
    );
    assert.equal((await cli('ps', '-aq')).stdout.trim().split('\n').length, 1, 'declined: nothing removed');
    const pruned = await cli('container', 'prune', '-f');
    assert.match(
      pruned.stdout,
      /^Deleted Containers:\n[a-f0-9]{64}\n\nTotal reclaimed space: 5\d\d(\.\d+)?kB\n$/,
    );
    const volumes = await cli('volume', 'prune', '-f');
    assert.match(volumes.stdout, /^Deleted Volumes:\n[a-f0-9]{64}\n/);

    const history = await cli('history', '--format', '{{.ID}} {{.Size}}', image);
    assert.equal(history.code, 0, history.stderr);
    assert.match(
      history.stdout.trim().split('\n')[0]!,
      /^[a-f0-9]{12} \d+(\.\d+)?MB$/,
      'the busybox layer, with its size',
    );

    const holder = await runDetached(image, 'sh', '-c', 'echo x > /x; sleep 300');
    await until('the file', async () => (await cli('exec', holder, 'cat', '/x')).code === 0);
    assert.equal((await cli('commit', holder, 'test/dangling:v1')).code, 0);
    await cli('rm', '-f', holder);
    await cli('tag', 'test/dangling:v1', 'test/dangling:keep');
    await cli('rmi', 'test/dangling:keep');
    const images = await cli('image', 'prune', '-f');
    assert.equal(images.stdout.trim(), 'Total reclaimed space: 0B', 'a tagged image is not dangling');
    const all = await cli('image', 'prune', '-a', '-f');
    assert.match(all.stdout, /untagged: test\/dangling:v1/);
    assert.match(all.stdout, /deleted: sha256:[a-f0-9]{64}/);
    assert.equal((await cli('images', '-q')).stdout, '', 'nothing used them');
    assert.equal((await cli('pull', '-q', image)).code, 0, 'busybox back for the next tests');
  });
});
