import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { DOCKER_DEFAULT_CAPS, useContainerAgent } from './harness/container-agent.js';

describe('containers: the default profile and the process settings as applied inside', () => {
  const suite = useContainerAgent();
  const { cli, inspect, runDetached } = suite;
  let image: string;
  before(() => {
    ({ image } = suite);
  });

  test('the default profile: Docker capabilities, seccomp, masked and read-only /proc, only stdio fds', async () => {
    const script = [
      'grep CapEff /proc/self/status',
      'grep Seccomp: /proc/self/status',
      'wc -c < /proc/interrupts',
      'echo 1 > /proc/sys/kernel/panic 2>/dev/null && echo sys-writable || echo sys-readonly',
      'hostname',
    ].join('; ');
    const result = await cli('run', '--rm', '--hostname', 'web-1', image, 'sh', '-c', script);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0]!, new RegExp(`CapEff:\\s+${DOCKER_DEFAULT_CAPS}`));
    assert.match(lines[1]!, /Seccomp:\s+2/, 'seccomp filter active');
    assert.equal(lines[2]!.trim(), '0', '/proc/interrupts is masked (reads as /dev/null)');
    assert.equal(lines[3], 'sys-readonly');
    assert.equal(lines[4], 'web-1');
    // Seen from the host, so no shell of the test's own holds a descriptor at the time.
    const sleeper = await runDetached(image, 'sleep', '300');
    const pid = await inspect(sleeper, '{{.State.Pid}}');
    assert.deepEqual(
      readdirSync(`/proc/${pid}/fd`).sort(),
      ['0', '1', '2'],
      'no fd but stdio enters the container',
    );
    await cli('rm', '-f', sleeper);

    const privileged = await cli(
      'run',
      '--rm',
      '--privileged',
      image,
      'sh',
      '-c',
      'grep CapEff /proc/self/status',
    );
    const agentBounding = /^CapBnd:\s+(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    assert.equal(privileged.code, 0, privileged.stderr);
    assert.match(
      privileged.stdout,
      new RegExp(`CapEff:\\s+${agentBounding}`),
      'privileged: all the host can give',
    );
    const dropped = await cli(
      'run',
      '--rm',
      '--cap-drop',
      'ALL',
      '--cap-add',
      'NET_BIND_SERVICE',
      image,
      'grep',
      'CapEff',
      '/proc/self/status',
    );
    assert.equal(dropped.code, 0, dropped.stderr);
    assert.match(dropped.stdout, /CapEff:\s+0000000000000400/);
    const unshare = await cli('run', '--rm', image, 'sh', '-c', 'unshare -U true 2>&1 || echo refused');
    assert.match(unshare.stdout, /refused|not found|Operation not permitted/);
  });

  test('--read-only, --tmpfs, --shm-size, --ulimit and no-new-privileges apply inside', async () => {
    const script = [
      'touch /rootfs-write 2>/dev/null && echo rootfs-writable || echo rootfs-readonly',
      'touch /scratch/x && echo tmpfs-writable',
      "df -k /scratch | tail -1 | awk '{print $2}'",
      "df -k /dev/shm | tail -1 | awk '{print $2}'",
      'ulimit -n',
      'grep NoNewPrivs /proc/self/status',
    ].join('; ');
    const result = await cli(
      'run',
      '--rm',
      '--read-only',
      '--tmpfs',
      '/scratch:size=1m',
      '--shm-size',
      '8m',
      '--ulimit',
      'nofile=512:1024',
      '--security-opt',
      'no-new-privileges',
      image,
      'sh',
      '-c',
      script,
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 2), ['rootfs-readonly', 'tmpfs-writable']);
    assert.equal(lines[2], '1024', 'tmpfs size=1m');
    assert.equal(lines[3], '8192', '/dev/shm is 8 MiB');
    assert.equal(lines[4], '512');
    assert.match(lines[5]!, /NoNewPrivs:\s+1/);
  });

  test('user, env, workdir and entrypoint as Docker applies them', async () => {
    const result = await cli(
      'run',
      '--rm',
      '-u',
      'nobody',
      '-e',
      'GREETING=hi',
      '-w',
      '/work/dir',
      '--entrypoint',
      'sh',
      image,
      '-c',
      'id -u; id -g; echo $GREETING; pwd; echo $HOME',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), ['65534', '65534', 'hi', '/work/dir', '/']);
    const envFile = join(mkdtempSync('/tmp/stevedore-env-'), 'app.env');
    writeFileSync(envFile, '# settings\nFROM_FILE=yes\n\nOVERRIDDEN=file\n');
    const fromFile = await cli(
      'run',
      '--rm',
      '--env-file',
      envFile,
      '-e',
      'OVERRIDDEN=flag',
      image,
      'sh',
      '-c',
      'echo $FROM_FILE $OVERRIDDEN',
    );
    assert.equal(fromFile.stdout, 'yes flag\n', '-e after --env-file wins, like Docker');
    rmSync(join(envFile, '..'), { recursive: true, force: true });
    const unknown = await cli('run', '--rm', '-u', 'ghost', image, 'true');
    assert.equal(unknown.code, 126);
    assert.match(unknown.stderr, /unable to find user ghost/);
  });
});
