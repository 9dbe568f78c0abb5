import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { type PushedImage, pushBusybox } from './harness/test-images.js';

/** The Docker-parity bugs that lose work: each fails on the engine as it was before its fix. */
describe('docker parity: bugs that lose work', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let busybox: PushedImage;
  let work: string;
  const { cli, ok } = agentCli(() => agent.host, { timeoutMs: 60_000 });
  /** `run --rm --network none ARGS…`, the way most of these tests run a container. */
  const runOnce = (...args: string[]) => cli('run', '--rm', '--network', 'none', ...args);

  before(async () => {
    registry = await startRegistry();
    busybox = await pushBusybox(registry);
    agent = await startAgent();
    work = mkdtempSync(join(tmpdir(), 'stevedore-parity-'));
  });
  after(async () => {
    const ids = (await cli('ps', '-aq')).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await cli('rm', '-f', ...ids);
    await agent?.stop();
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('a single file bind-mounts (read-only and read-write), and a missing source is made as a directory', async () => {
    const file = join(work, 'app.conf');
    writeFileSync(file, 'setting=1\n');
    const readOnly = `${file}:/etc/app.conf:ro`;
    const read = await runOnce('-v', readOnly, busybox.reference, 'cat', '/etc/app.conf');
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout, 'setting=1\n');
    const refused = await runOnce('-v', readOnly, busybox.reference, 'sh', '-c', 'echo x > /etc/app.conf');
    assert.notEqual(refused.code, 0, 'a read-only file mount refuses writes');
    const written = await runOnce(
      '-v',
      `${file}:/data/app.conf`,
      busybox.reference,
      'sh',
      '-c',
      'echo setting=2 > /data/app.conf',
    );
    assert.equal(written.code, 0, written.stderr);
    assert.equal(readFileSync(file, 'utf8'), 'setting=2\n', 'written through the read-write file mount');
    const missing = join(work, 'made', 'dir');
    const made = await runOnce('-v', `${missing}:/made`, busybox.reference, 'touch', '/made/x');
    assert.equal(made.code, 0, made.stderr);
    assert.equal(readFileSync(join(missing, 'x'), 'utf8'), '');
  });

  test('rmi -f, image prune -a and system prune -a never delete the layers a container stands on', async () => {
    await ok('pull', '-q', busybox.reference);
    await ok('tag', busybox.reference, 'parity/second:v1');
    const imageId = (await ok('image', 'inspect', '--format', '{{.Id}}', busybox.reference)).trim();
    const id = (await ok('run', '-d', '--network', 'none', busybox.reference, 'sleep', '300')).trim();

    await ok('rmi', '-f', busybox.reference); // another tag remains
    await ok('rmi', '-f', 'parity/second:v1'); // the last name: untagged, the image stays
    const byId = await cli('rmi', '-f', imageId);
    assert.notEqual(
      byId.code,
      0,
      'removing an image by ID while a container uses it is refused, even forced',
    );
    assert.match(
      byId.stderr,
      /conflict: unable to delete \w+ \(cannot be forced\) - image is being used by running container \w+/,
    );
    await ok('image', 'prune', '-a', '-f');
    await ok('system', 'prune', '-a', '-f');

    // The container still stands on its image: it restarts, commits, and its image is listed dangling.
    await ok('restart', '-t', '0', id);
    assert.equal(await ok('exec', id, 'ls', '/bin/busybox'), '/bin/busybox\n');
    const committed = (await ok('commit', id, 'parity/committed:v1')).trim();
    assert.match(committed, /^sha256:[a-f0-9]{64}$/);
    assert.equal(
      (await ok('image', 'inspect', '--format', '{{.Id}}', imageId)).trim(),
      imageId,
      'the image is kept',
    );
    await ok('rm', '-f', id);
    // Once no container uses it, it can go.
    await ok('rmi', 'parity/committed:v1');
    await ok('rmi', imageId);
  });

  test('rmi racing create: either the create fails with "No such image" or its container keeps the layers', async () => {
    for (let round = 0; round < 6; round++) {
      await ok('pull', '-q', busybox.reference);
      const imageId = (await ok('image', 'inspect', '--format', '{{.Id}}', busybox.reference)).trim();
      const [created, removed] = await Promise.all([
        cli('create', '--network', 'none', busybox.reference, 'true'),
        cli('rmi', '-f', imageId),
      ]);
      if (created.code !== 0) {
        assert.match(created.stderr, /No such image/, `round ${round}: ${created.stderr}`);
        assert.equal(removed.code, 0, removed.stderr);
        continue;
      }
      const id = created.stdout.trim();
      // Whichever won, the container stands on its layers: it runs.
      const started = await cli('start', '-a', id);
      assert.equal(started.code, 0, `round ${round}: ${started.stderr}`);
      await ok('rm', '-f', id);
      await cli('rmi', '-f', imageId);
    }
  });

  test('run -h NAME sets the hostname (it is not --help there); -h still helps elsewhere', async () => {
    const named = await runOnce('-h', 'named', busybox.reference, 'hostname');
    assert.equal(named.stdout, 'named\n', named.stderr);
    assert.match(await ok('images', '-h'), /Usage:\s+stevedore images/);
  });

  test('-f is --filter on images, volume ls and network ls, as in Docker; --format has no -f there', async () => {
    await ok('pull', '-q', busybox.reference);
    const holder = (await ok('create', '--network', 'none', busybox.reference, 'true')).trim();
    // A dangling image (a commit without a name) and a labelled, named one.
    const dangling = (await ok('commit', holder)).trim();
    const labelled = (await ok('commit', '-c', 'LABEL tier=web', holder, 'parity/labelled:v1')).trim();
    const ids = async (...args: string[]) =>
      (await ok('images', '--format', '{{.ID}}', ...args)).split('\n').filter(Boolean).sort();
    assert.deepEqual(await ids('-f', 'dangling=true'), [dangling.slice(7, 19)]);
    assert.deepEqual(
      (await ok('images', '-qf', 'dangling=true')).split('\n').filter(Boolean),
      [dangling.slice(7, 19)],
      'the -qf form scripts use',
    );
    assert.deepEqual(await ids('--filter', 'label=tier=web'), [labelled.slice(7, 19)]);
    assert.deepEqual(await ids('--filter', 'reference=parity/*'), [labelled.slice(7, 19)]);
    assert.deepEqual(await ids('--filter', 'reference=parity/labelled:v1'), [labelled.slice(7, 19)]);
    assert.equal((await ids('--filter', 'since=parity/labelled:v1')).length, 0);
    const bad = await cli('images', '-f', 'colour=blue');
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /Invalid filter: image filters are dangling=, label=, reference=, before=, since=/,
    );

    await ok('volume', 'create', '--label', 'keep=yes', 'parity-kept');
    await ok('volume', 'create', 'parity-other');
    assert.equal(await ok('volume', 'ls', '-q', '-f', 'label=keep=yes'), 'parity-kept\n');
    assert.equal(
      await ok('volume', 'ls', '-q', '-f', 'name=parity-', '-f', 'dangling=true'),
      'parity-kept\nparity-other\n',
    );
    await ok('network', 'create', 'parity-net');
    assert.equal(await ok('network', 'ls', '--format', '{{.Name}}', '-f', 'type=custom'), 'parity-net\n');
    assert.equal(await ok('network', 'ls', '--format', '{{.Name}}', '-f', 'name=parity'), 'parity-net\n');

    await ok('rm', holder);
    await ok('rmi', dangling, 'parity/labelled:v1');
    await ok('volume', 'rm', 'parity-kept', 'parity-other');
    await ok('network', 'rm', 'parity-net');
  });

  test("exec processes get the container's --ulimit", async () => {
    const id = (
      await ok(
        'run',
        '-d',
        '--network',
        'none',
        '--ulimit',
        'nofile=512:512',
        busybox.reference,
        'sleep',
        '300',
      )
    ).trim();
    assert.equal(await ok('exec', id, 'sh', '-c', 'ulimit -n; ulimit -Hn'), '512\n512\n');
    await ok('rm', '-f', id);
  });

  test('a --format template that fails on a value is a one-line error, not a crash (events, stats)', async () => {
    const id = (await ok('run', '-d', '--network', 'none', busybox.reference, 'sleep', '300')).trim();
    const until = String(Math.ceil(Date.now() / 1000) + 1);
    const events = await cli('events', '--since', '1', '--until', until, '--format', '{{.NoSuchField}}');
    assert.notEqual(events.code, 0, `events: ${events.stdout} ${events.stderr}`);
    assert.doesNotMatch(events.stderr, /\n\s+at /, 'no stack trace');
    assert.match(events.stderr, /NoSuchField/);
    const stats = await cli('stats', '--no-stream', '--format', '{{.NoSuchField}}', id);
    assert.notEqual(stats.code, 0);
    assert.doesNotMatch(stats.stderr, /\n\s+at /, 'no stack trace');
    assert.match(stats.stderr, /NoSuchField/);
    await ok('rm', '-f', id);
  });

  test('start -a prints what this run writes, not earlier runs; a last line without a newline is kept', async () => {
    const id = (
      await ok('create', '--network', 'none', busybox.reference, 'sh', '-c', 'echo one; echo -n two')
    ).trim();
    for (let run = 0; run < 3; run++) {
      const started = await cli('start', '-a', id);
      assert.equal(started.code, 0, started.stderr);
      assert.equal(started.stdout, 'one\ntwo', `run ${run + 1}`);
    }
    await ok('rm', id);
  });
});
