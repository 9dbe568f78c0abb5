import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { pack } from 'tar-stream';
import type { AgentProcess } from './harness/agent-process.js';
import { runCli } from './harness/cli-process.js';
import { mountsUnder, useContainerAgent } from './harness/container-agent.js';
import { until } from './harness/until.js';

describe('containers: cp, export and commit', () => {
  const suite = useContainerAgent();
  const { cli, inspect, runDetached, eventActions } = suite;
  let agent: AgentProcess;
  let image: string;
  before(() => {
    ({ agent, image } = suite);
  });

  test('cp streams a 64 MiB file into a container (over 48 MiB, the old base64 limit); a hostile archive on stdin is refused by name', async () => {
    const local = mkdtempSync('/tmp/stevedore-cp-big-');
    try {
      const id = await runDetached(image, 'sleep', '300');
      const big = join(local, 'big.bin');
      writeFileSync(big, Buffer.concat(Array.from({ length: 64 }, () => randomBytes(1 << 20))));
      const into = await cli('cp', big, `${id}:/tmp/`);
      assert.equal(into.code, 0, into.stderr);
      assert.equal(
        (await cli('exec', id, 'stat', '-c', '%s', '/tmp/big.bin')).stdout.trim(),
        String(64 << 20),
      );
      const back = join(local, 'back');
      const out = await cli('cp', `${id}:/tmp/big.bin`, back);
      assert.equal(out.code, 0, out.stderr);
      const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
      assert.equal(sha(back), sha(big), 'the same bytes came back out');

      const hostile = pack();
      const parts: Buffer[] = [];
      hostile.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
      const packed = new Promise<void>((resolve) => hostile.on('end', () => resolve()));
      hostile.entry({ name: '../../../escaped.txt' }, 'out\n');
      hostile.finalize();
      await packed;
      // All of this tar is ASCII, so it passes through the harness's text stdin unchanged.
      const tarText = Buffer.concat(parts).toString('latin1');
      const refused = await runCli(['-H', agent.host, 'cp', '-', `${id}:/tmp`], {}, 20_000, tarText);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /layer entry "\.\.\/\.\.\/\.\.\/escaped\.txt" refused/);
      assert.equal((await cli('exec', id, 'ls', '/tmp')).stdout.includes('escaped'), false);
      await cli('rm', '-f', id);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  test('cp both ways stays inside the container even through its symlinks; export writes the whole filesystem', async () => {
    const local = mkdtempSync('/tmp/stevedore-cp-');
    const marker = `cp-probe-${randomBytes(4).toString('hex')}`;
    try {
      const id = await runDetached(
        '--hostname',
        'inside',
        image,
        'sh',
        '-c',
        'ln -s / /tmp/root-link; ln -s ../../../../../../etc /tmp/etc-link; echo data > /tmp/data; sleep 300',
      );
      await until('the links', async () => (await cli('exec', id, 'ls', '/tmp/etc-link')).code === 0);
      assert.equal((await cli('cp', `${id}:/tmp/data`, local)).code, 0);
      assert.equal(readFileSync(join(local, 'data'), 'utf8'), 'data\n');
      const viaLink = await cli('cp', `${id}:/tmp/root-link/etc/hostname`, join(local, 'hostname'));
      assert.equal(viaLink.code, 0, viaLink.stderr);
      assert.equal(
        readFileSync(join(local, 'hostname'), 'utf8'),
        'inside\n',
        "the container's file, not the host's",
      );
      assert.equal((await cli('cp', `${id}:/bin`, join(local, 'bin-copy'))).code, 0);
      assert.ok(existsSync(join(local, 'bin-copy', 'busybox')), 'a directory copied under a new name');

      writeFileSync(join(local, marker), 'from the host\n');
      const into = await cli('cp', join(local, marker), `${id}:/tmp/etc-link/`);
      assert.equal(into.code, 0, into.stderr);
      assert.equal(
        (await cli('exec', id, 'cat', `/etc/${marker}`)).stdout,
        'from the host\n',
        'landed in the container /etc',
      );
      assert.equal(existsSync(`/etc/${marker}`), false, 'the host /etc untouched');
      assert.equal((await cli('cp', join(local, marker), `${id}:/tmp/renamed.txt`)).code, 0);
      assert.equal((await cli('exec', id, 'cat', '/tmp/renamed.txt')).stdout, 'from the host\n');
      const missing = await cli('cp', `${id}:/no/such/file`, local);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Could not find the file \/no\/such\/file in container/);

      await cli('stop', '-t', '0', id);
      const archive = join(local, 'export.tar');
      assert.equal((await cli('export', '-o', archive, id)).code, 0);
      const listing = spawnSync('tar', ['-tf', archive], { encoding: 'utf8' }).stdout;
      assert.match(listing, /^\.\/bin\/busybox$/m);
      assert.match(listing, /^\.\/tmp\/data$/m);
      assert.deepEqual(
        mountsUnder(join(agent.dataRoot, 'overlay2')),
        [],
        'the stopped container is unmounted again',
      );
      // The export imports back as a one-layer image that runs.
      const gz = join(local, 'export.tar.gz');
      spawnSync('sh', ['-c', `gzip -c '${archive}' > '${gz}'`]);
      const imported = await cli('import', '-c', 'CMD ["cat", "/tmp/data"]', gz, 'test/imported:v1');
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout.trim(), /^sha256:[a-f0-9]{64}$/);
      assert.equal((await cli('run', '--rm', 'test/imported:v1')).stdout, 'data\n');
      assert.equal((await cli('rmi', 'test/imported:v1')).code, 0);
      await cli('rm', id);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  test('commit turns the writable layer into an image: whiteouts, hardlinks and -c changes carried over', async () => {
    const id = await runDetached(
      image,
      'sh',
      '-c',
      'mkdir -p /app && echo v1 > /app/file && ln /app/file /app/hard && rm /bin/ls && sleep 300',
    );
    await until('the changes', async () => (await cli('exec', id, 'cat', '/app/hard')).stdout === 'v1\n');
    const committed = await cli(
      'commit',
      '-m',
      'snapshot',
      '-c',
      'CMD ["cat", "/app/file"]',
      '-c',
      'ENV STAGE=test',
      id,
      'test/committed:v1',
    );
    assert.equal(committed.code, 0, committed.stderr);
    assert.match(committed.stdout.trim(), /^sha256:[a-f0-9]{64}$/);
    assert.equal(await inspect(id, '{{.State.Status}}'), 'running', 'unpaused after the commit');
    const ran = await cli('run', '--rm', 'test/committed:v1');
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, 'v1\n', 'the new CMD runs on the committed content');
    const probe = await cli(
      'run',
      '--rm',
      'test/committed:v1',
      'sh',
      '-c',
      'echo $STAGE; ls /bin/ls 2>&1 || true; stat -c %h /app/file; ls /proc | head -1 >/dev/null; echo ok',
    );
    assert.equal(probe.code, 0, probe.stderr);
    const lines = probe.stdout.trim().split('\n');
    assert.equal(lines[0], 'test');
    assert.match(lines[1]!, /No such file/, 'the deletion (a whiteout) is in the image');
    assert.equal(lines[2], '2', 'the hardlink survived');
    const layers = await cli(
      'inspect',
      '--type',
      'image',
      '--format',
      '{{json .RootFS.Layers}}',
      'test/committed:v1',
    );
    assert.equal(layers.code, 0, layers.stderr);
    assert.equal((JSON.parse(layers.stdout) as string[]).length, 2, 'one layer on top of the parent');
    await cli('rm', '-f', id);
    // From now, not a second back: the commit's own tag event may be less than a second old.
    const since = String(Date.now() / 1000);
    assert.equal((await cli('tag', 'test/committed:v1', 'test/committed:v2')).code, 0);
    await cli('rmi', 'test/committed:v1', 'test/committed:v2');
    assert.deepEqual(await eventActions(since, 'type=image'), ['tag', 'untag', 'untag', 'delete']);
  });

  test('a device or pipe as the target is written into, never replaced: save -o writes through a FIFO; cp to one is refused', async () => {
    // A FIFO stands in for /dev/null: renaming a finished file over it would turn it into a file.
    const dir = mkdtempSync(join(tmpdir(), 'stevedore-fifo-'));
    try {
      const fifo = join(dir, 'out');
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
      const reader = spawn('sh', ['-c', `cat "$1" > "$2"`, 'sh', fifo, join(dir, 'read.tar')]);
      const readerDone = new Promise((resolve) => reader.on('exit', resolve));
      const saved = await cli('save', '-o', fifo, image);
      assert.equal(saved.code, 0, saved.stderr);
      assert.equal(await readerDone, 0);
      assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO is still a FIFO');
      assert.ok(readFileSync(join(dir, 'read.tar')).includes('manifest.json'), 'the archive went through it');

      const id = await runDetached(image, 'sleep', '60');
      const copied = await cli('cp', `${id}:/etc/hostname`, fifo);
      assert.equal(copied.code, 1);
      assert.match(copied.stderr, /neither a regular file nor a directory/);
      assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO is still a FIFO');
      await cli('rm', '-f', id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
