import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { busyboxAgentSuite } from './harness/busybox-agent.js';

/** Issue 17's runtime gaps as Docker 20.10 behaves: top, the attach event, --ipc and /dev/shm, --mount volume options. */
describe('runtime parity with Docker', () => {
  const { suite, cli, ok } = busyboxAgentSuite();
  const image = () => suite.busybox.reference;
  const runDetached = async (...args: string[]) =>
    (await ok('run', '-d', '--network', 'none', ...args, image(), 'sleep', '300')).trim();

  test("top prints ps's columns only; ps options pass through as Docker passes them", async () => {
    const id = await runDetached();
    try {
      const plain = await ok('top', id);
      assert.match(plain, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n/);
      assert.match(plain, /\nroot\s+\d+\s+\d+\s+.*sleep 300\n$/);
      const chosen = await ok('top', id, '-o', 'pid,comm');
      assert.match(chosen, /^PID\s+COMMAND\n\d+\s+sleep\n$/);
      const refused = await cli('top', id, '-o', 'user=PID');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /specifying "user=PID" is not allowed/);
      const noPid = await cli('top', id, '-o', 'comm');
      assert.equal(noPid.code, 1);
      assert.match(noPid.stderr, /Couldn't find PID field in ps output/);
    } finally {
      await cli('rm', '-f', id);
    }
  });

  test('run in the foreground and attach publish the "attach" event, between create and start', async () => {
    const since = String(Date.now() / 1000 - 1);
    const name = 'rtp-attach';
    try {
      await ok('run', '--network', 'none', '--name', name, image(), 'true');
      const actions = async () =>
        (
          await ok(
            'events',
            '--since',
            since,
            '--until',
            String(Date.now() / 1000),
            '--filter',
            `container=${name}`,
            '--format',
            '{{.Action}} {{.status}} {{.from}}',
          )
        ).trim();
      // `run` may return as soon as the exit status is known, a moment before the die event.
      await until(async () => (await actions()).includes('die'));
      assert.equal(
        await actions(),
        [
          `create create ${image()}`,
          `attach attach ${image()}`,
          `start start ${image()}`,
          `die die ${image()}`,
        ].join('\n'),
      );
      await ok('rm', name);
      await runDetachedNamed(name);
      const attach = cli('attach', name);
      await until(
        async () => (await actions()).split('\n').filter((line) => line.startsWith('attach')).length === 2,
      );
      await ok('kill', name);
      const attached = await attach;
      assert.equal(attached.code, 137, attached.stderr);
    } finally {
      await cli('rm', '-f', name);
    }
  });

  const runDetachedNamed = (name: string) => runDetached('--name', name);

  test("--mount volume-opt, volume-nocopy and volume-driver; volume create --opt, as Docker's local driver", async () => {
    const volumes = ['rtp-tmpfs', 'rtp-nocopy', 'rtp-copy', 'rtp-cli', 'rtp-bogus'];
    const mounted = (name: string) =>
      readFileSync('/proc/self/mountinfo', 'utf8').includes(`/volumes/${name}/_data `);
    try {
      const inTmpfs = await ok(
        'run',
        '--rm',
        '--network',
        'none',
        '--mount',
        'type=volume,src=rtp-tmpfs,dst=/data,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=1m',
        image(),
        'sh',
        '-c',
        "grep -c ' /data tmpfs ' /proc/mounts; df -k /data | awk 'NR==2{print $2}'",
      );
      assert.equal(inTmpfs, '1\n1024\n');
      assert.deepEqual(
        JSON.parse(await ok('volume', 'inspect', '--format', '{{json .Options}}', 'rtp-tmpfs')),
        {
          type: 'tmpfs',
          device: 'tmpfs',
          o: 'size=1m',
        },
      );
      assert.equal(mounted('rtp-tmpfs'), false, 'unmounted once no container uses it');

      const check = 'test -e /etc/passwd && echo copied || echo empty';
      const mount = (name: string, extra = '') => ['--mount', `type=volume,src=${name},dst=/etc${extra}`];
      const run = (...args: string[]) =>
        ok('run', '--rm', '--network', 'none', ...args, image(), 'sh', '-c', check);
      assert.equal(await run(...mount('rtp-nocopy', ',volume-nocopy')), 'empty\n');
      assert.equal(await run(...mount('rtp-copy')), 'copied\n');

      const plugin = await cli(
        'run',
        '--rm',
        '--network',
        'none',
        ...mount('rtp-bogus', ',volume-driver=foo'),
        image(),
        'true',
      );
      assert.equal(plugin.code, 125);
      assert.match(plugin.stderr, /error looking up volume plugin foo: plugin "foo" not found/);

      await ok('volume', 'create', '-d', 'local', '--opt', 'type=tmpfs', '-o', 'device=tmpfs', 'rtp-cli');
      assert.equal(
        (
          await ok('volume', 'inspect', '--format', '{{.Options.type}} {{.Options.device}}', 'rtp-cli')
        ).trim(),
        'tmpfs tmpfs',
      );
      const badOption = await cli('volume', 'create', '--opt', 'bogus=1', 'rtp-bogus');
      assert.equal(badOption.code, 1);
      assert.match(badOption.stderr, /invalid option: "bogus"/);
      const missing = await cli('volume', 'create', '--opt', 'type=tmpfs', 'rtp-bogus');
      assert.match(missing.stderr, /missing required option: "device"/);
      const driver = await cli('volume', 'create', '-d', 'foo', 'rtp-bogus');
      assert.match(driver.stderr, /plugin "foo" not found/);
    } finally {
      await cli('volume', 'rm', '-f', ...volumes);
    }
  });

  test("--ipc shareable and container:NAME share one /dev/shm of --shm-size; private has its own; none has none; host the host's", async () => {
    const donor = 'rtp-ipc-donor';
    const hostFile = `/dev/shm/stevedore-rtp-${process.pid}`;
    const shmKiB = "df -k /dev/shm | awk 'NR==2{print $2}'";
    try {
      const donorId = await runDetached('--name', donor, '--ipc', 'shareable', '--shm-size', '8m');
      const hostMounts = () =>
        readFileSync('/proc/self/mountinfo', 'utf8')
          .split('\n')
          .filter((line) => line.includes(`${donorId}/mounts/shm`));
      assert.equal(hostMounts().length, 1, 'the shareable /dev/shm is a tmpfs on the host');
      await ok('exec', donor, 'sh', '-c', 'echo from-donor > /dev/shm/f');
      const joined = await ok(
        'run',
        '--rm',
        '--network',
        'none',
        '--ipc',
        `container:${donor}`,
        image(),
        'sh',
        '-c',
        `cat /dev/shm/f; echo from-joiner > /dev/shm/g; ${shmKiB}`,
      );
      assert.equal(joined, 'from-donor\n8192\n');
      assert.equal(await ok('exec', donor, 'cat', '/dev/shm/g'), 'from-joiner\n');
      assert.equal(
        (await ok('inspect', '--format', '{{.HostConfig.IpcMode}} {{.HostConfig.ShmSize}}', donor)).trim(),
        'shareable 8388608',
      );

      const own = await ok(
        'run',
        '--rm',
        '--network',
        'none',
        '--ipc',
        'private',
        '--shm-size',
        '16m',
        image(),
        'sh',
        '-c',
        `ls /dev/shm | wc -l; ${shmKiB}`,
      );
      assert.equal(own, '0\n16384\n');
      const none = await cli(
        'run',
        '--rm',
        '--network',
        'none',
        '--ipc',
        'none',
        image(),
        'grep',
        '-c',
        ' /dev/shm ',
        '/proc/mounts',
      );
      assert.equal(none.stdout, '0\n', 'no /dev/shm mount with --ipc none');
      writeFileSync(hostFile, 'from-host\n');
      const host = await ok('run', '--rm', '--network', 'none', '--ipc', 'host', image(), 'cat', hostFile);
      assert.equal(host, 'from-host\n');

      const notShareable = await runDetached('--name', 'rtp-ipc-private');
      const refused = await cli(
        'run',
        '--rm',
        '--network',
        'none',
        '--ipc',
        'container:rtp-ipc-private',
        image(),
        'true',
      );
      assert.equal(refused.code, 125);
      assert.match(
        refused.stderr,
        /non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)/,
      );
      await ok('rm', '-f', notShareable);

      // The donor's tmpfs is unmounted when it stops; a new start gets a fresh one.
      await ok('stop', '-t', '0', donor);
      assert.equal(hostMounts().length, 0);
      await ok('start', donor);
      assert.equal((await cli('exec', donor, 'ls', '/dev/shm')).stdout, '');
    } finally {
      rmSync(hostFile, { force: true });
      await cli('rm', '-f', donor, 'rtp-ipc-private');
    }
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
