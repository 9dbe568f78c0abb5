import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pack } from 'tar-stream';
import { type AgentProcess, cliBin, repoRoot, startAgent } from './harness/agent-process.js';
import { cgroupsUnder, readCgroupFile, removeCgroupParent } from './harness/cgroups.js';
import { runCli, runCliInTerminal } from './harness/cli-process.js';
import { conmonPidsFor } from './harness/leftovers.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { type PushedImage, pushBusybox, pushImage } from './harness/test-images.js';
import { until } from './harness/until.js';

const DOCKER_DEFAULT_CAPS = '00000000a80425fb';

/** Mount points below `base` still present (the agent's overlay mounts). */
const mountsUnder = (base: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${base}/`));

const conmonsFor = conmonPidsFor;

describe('containers: runc + conmon lifecycle on the real agent', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let busybox: PushedImage;
  let image: string;
  const cgroupParent = `stevedore-test-${randomBytes(4).toString('hex')}`;
  const cli = (...args: string[]) => runCli(['-H', agent.host, ...args]);
  const inspect = async (container: string, format: string) => {
    const result = await cli('inspect', '--format', format, container);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };
  const runDetached = async (...args: string[]) => {
    const result = await cli('run', '-d', ...args);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };

  /** The actions `events --since SINCE --until now+1s --filter FILTER` lists, in order. */
  const eventActions = async (since: string, filter: string) => {
    const events = await cli(
      'events',
      '--since',
      since,
      '--until',
      String(Date.now() / 1000 + 1),
      '--filter',
      filter,
    );
    assert.equal(events.code, 0, events.stderr);
    return events.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[2] ?? '');
  };

  before(async () => {
    registry = await startRegistry();
    busybox = await pushBusybox(registry);
    image = busybox.reference;
    agent = await startAgent({ config: { 'cgroup-parent': cgroupParent } });
    const pulled = await cli('pull', '-q', image);
    assert.equal(pulled.code, 0, pulled.stderr);
  });
  after(async () => {
    const ids = (await cli('ps', '-aq')).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await cli('rm', '-f', ...ids);
    const base = agent?.dataRoot ? join(agent.dataRoot, '..') : null;
    if (base) {
      assert.deepEqual(conmonsFor(base), [], 'no conmon left');
      assert.deepEqual(cgroupsUnder(cgroupParent), [], 'no container cgroup left');
    }
    await agent?.stop();
    removeCgroupParent(cgroupParent);
    await registry?.stop();
    if (base) assert.deepEqual(mountsUnder(base), [], 'no mounts left');
  });

  test('run attaches: stdout and stderr apart, the exit code returned, --rm leaves nothing', async () => {
    const result = await cli('run', '--rm', image, 'sh', '-c', 'echo out; echo err >&2; exit 3');
    assert.equal(result.code, 3);
    assert.equal(result.stdout, 'out\n');
    assert.equal(result.stderr, 'err\n');
    const all = await cli('ps', '-aq');
    assert.equal(all.stdout, '', '--rm removed the container');
    assert.deepEqual(mountsUnder(join(agent.dataRoot, 'overlay2')), [], 'rootfs unmounted');
    assert.deepEqual(cgroupsUnder(cgroupParent), [], 'cgroups removed');
    assert.deepEqual(conmonsFor(agent.dataRoot), [], 'conmon gone');
  });

  test('start -a attaches like run: output apart, the exit code returned; -i passes stdin', async () => {
    const created = await cli(
      'create',
      '--name',
      'later',
      image,
      'sh',
      '-c',
      'echo out; echo err >&2; exit 5',
    );
    assert.equal(created.code, 0, created.stderr);
    const started = await cli('start', '-a', 'later');
    assert.equal(started.code, 5, started.stderr);
    assert.equal(started.stdout, 'out\n');
    assert.equal(started.stderr, 'err\n');
    assert.equal(await inspect('later', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 5');
    const two = await cli('start', '-a', 'later', 'later');
    assert.equal(two.code, 1);
    assert.match(two.stderr, /cannot start and attach multiple containers at once/);
    assert.equal((await cli('create', '--name', 'reader', '-i', image, 'sh', '-c', 'cat | wc -l')).code, 0);
    const piped = await runCli(['-H', agent.host, 'start', '-ai', 'reader'], {}, 20_000, 'one\ntwo\n');
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout.trim(), '2');
    assert.equal((await cli('rm', 'later', 'reader')).code, 0);
  });

  test('run passes the signals it gets to the container (sig-proxy), unless --sig-proxy=false', async () => {
    const trapping = [
      'sh',
      '-c',
      'trap "echo got TERM; exit 7" TERM; echo ready; while true; do sleep 0.1; done',
    ];
    /** Runs the CLI, sends it SIGTERM once the container said "ready", and collects how it ended. */
    const terminated = (args: string[]) =>
      new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve, reject) => {
        const child = spawn(cliBin, ['-H', agent.host, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          if (!stdout.includes('ready') && `${stdout}${chunk}`.includes('ready')) child.kill('SIGTERM');
          stdout += chunk;
        });
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`no exit; stdout: ${stdout}`));
        }, 20_000);
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout });
        });
      });
    const proxied = await terminated(['run', '--rm', image, ...trapping]);
    assert.deepEqual(proxied, { code: 7, signal: null, stdout: 'ready\ngot TERM\n' });
    const direct = await terminated(['run', '--name', 'unproxied', '--sig-proxy=false', image, ...trapping]);
    assert.equal(direct.signal, 'SIGTERM', 'the CLI itself was terminated');
    assert.equal(await inspect('unproxied', '{{.State.Status}}'), 'running', 'the container was not');
    assert.equal((await cli('rm', '-f', 'unproxied')).code, 0);
  });

  test('exit codes: 127 command not found, 126 not executable, 125 engine refusal', async () => {
    const missing = await cli('run', '--rm', image, 'no-such-command');
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /executable file not found/);
    const notExecutable = await cli('run', '--rm', image, '/etc/passwd');
    assert.equal(notExecutable.code, 126, notExecutable.stderr);
    const refused = await cli('run', '--rm', '--memory', '4m', image, 'true');
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /Minimum memory limit allowed is 6MB/);
    assert.equal((await cli('ps', '-aq')).stdout, '', 'a --rm container whose start failed is removed');
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

  test('limits land in the cgroup files; update changes them live and keeps them', async () => {
    const id = await runDetached(
      '--memory',
      '64m',
      '--cpus',
      '0.5',
      '--pids-limit',
      '50',
      '--cpu-shares',
      '512',
      '--cpuset-cpus',
      '0',
      image,
      'sleep',
      '300',
    );
    assert.equal(
      readCgroupFile('memory', cgroupParent, id, 'memory.limit_in_bytes'),
      String(64 * 1024 * 1024),
    );
    assert.equal(readCgroupFile('cpu', cgroupParent, id, 'cpu.cfs_quota_us'), '50000');
    assert.equal(readCgroupFile('cpu', cgroupParent, id, 'cpu.cfs_period_us'), '100000');
    assert.equal(readCgroupFile('cpu', cgroupParent, id, 'cpu.shares'), '512');
    assert.equal(readCgroupFile('pids', cgroupParent, id, 'pids.max'), '50');
    assert.equal(readCgroupFile('cpuset', cgroupParent, id, 'cpuset.cpus'), '0');

    const updated = await cli(
      'update',
      '--memory',
      '128m',
      '--memory-swap',
      '256m',
      '--cpus',
      '1',
      '--pids-limit',
      '80',
      id,
    );
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(
      readCgroupFile('memory', cgroupParent, id, 'memory.limit_in_bytes'),
      String(128 * 1024 * 1024),
    );
    assert.equal(readCgroupFile('cpu', cgroupParent, id, 'cpu.cfs_quota_us'), '100000');
    assert.equal(readCgroupFile('pids', cgroupParent, id, 'pids.max'), '80');
    assert.equal(
      await inspect(id, '{{.State.Status}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}'),
      `running ${128 * 1024 * 1024} 1000000000`,
    );

    await cli('restart', '-t', '0', id);
    assert.equal(
      readCgroupFile('memory', cgroupParent, id, 'memory.limit_in_bytes'),
      String(128 * 1024 * 1024),
      'kept across restart',
    );
    await cli('rm', '-f', id);
    assert.deepEqual(cgroupsUnder(cgroupParent), []);
  });

  test('block I/O: device read/write limits land in blkio; a weight the kernel cannot take is dropped with a warning', async () => {
    const disk = readdirSync('/sys/block').find((name) => !/^(loop|ram|zram)/.test(name));
    if (disk) {
      const [major, minor] = readFileSync(`/sys/block/${disk}/dev`, 'utf8').trim().split(':');
      const id = await runDetached(
        '--device-read-bps',
        `/dev/${disk}:1mb`,
        '--device-write-bps',
        `/dev/${disk}:2mb`,
        image,
        'sleep',
        '300',
      );
      assert.equal(
        readCgroupFile('blkio', cgroupParent, id, 'blkio.throttle.read_bps_device'),
        `${major}:${minor} 1048576`,
      );
      assert.equal(
        readCgroupFile('blkio', cgroupParent, id, 'blkio.throttle.write_bps_device'),
        `${major}:${minor} 2097152`,
      );
      await cli('rm', '-f', id);
    }
    const notBlock = await cli('create', '--device-read-bps', '/dev/null:1mb', image, 'true');
    assert.equal(notBlock.code, 125);
    assert.match(notBlock.stderr, /\/dev\/null is not a block device/);
    const weighted = await cli('create', '--blkio-weight', '300', image, 'true');
    assert.equal(weighted.code, 0, weighted.stderr);
    const supported = ['blkio.weight', 'blkio.bfq.weight'].some((file) =>
      existsSync(join('/sys/fs/cgroup/blkio', file)),
    );
    if (!supported) assert.match(weighted.stderr, /WARNING: Your kernel does not support Block I\/O weight/);
    await cli('rm', weighted.stdout.trim());
  });

  test('impossible limits are refused with the reason', async () => {
    const cases: [string[], RegExp][] = [
      [['--cpus', '64'], /Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available/],
      [['--cpuset-cpus', '0-63'], /Requested CPUs are not available - requested 0-63, available: /],
      [
        ['--memory', '64m', '--memory-swap', '32m'],
        /Minimum memoryswap limit should be larger than memory limit/,
      ],
      [['--memory', 'lots'], /invalid argument "lots" for "--memory" flag: invalid size/],
      [['--restart', 'sometimes'], /invalid restart policy "sometimes"/],
      [['--cap-add', 'FLY'], /unknown capability/],
    ];
    for (const [flags, message] of cases) {
      const result = await cli('create', ...flags, image, 'true');
      assert.equal(result.code, 125, `${flags.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.equal((await cli('ps', '-aq')).stdout, '', 'nothing was created');
  });

  test('a memory hog is OOM-killed and says so; the oom and die events are recorded', async () => {
    const since = String(Date.now() / 1000);
    const result = await cli(
      'run',
      '--name',
      'hog',
      '--memory',
      '16m',
      '--memory-swap',
      '16m',
      image,
      'sh',
      '-c',
      'dd if=/dev/zero of=/dev/null bs=64M count=1',
    );
    assert.equal(result.code, 137, result.stderr);
    assert.equal(
      await inspect('hog', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.State.Status}}'),
      'true 137 exited',
    );
    assert.equal(
      existsSync(join(repoRoot, 'oom')),
      false,
      "conmon's oom marker stays in the bundle, not the agent's cwd",
    );
    const actions = await eventActions(since, 'container=hog');
    for (const action of ['create', 'start', 'oom', 'die'])
      assert.ok(actions.includes(action), `${action} in ${actions}`);
    await cli('rm', 'hog');
  });

  test('stop sends the stop signal, then SIGKILL after the timeout; kill -s; pause freezes', async () => {
    const trapping = await runDetached(
      '--name',
      'stubborn',
      image,
      'sh',
      '-c',
      'trap "echo got-term" TERM; while true; do sleep 0.1; done',
    );
    const started = Date.now();
    assert.equal((await cli('stop', '-t', '1', 'stubborn')).code, 0);
    assert.ok(Date.now() - started >= 1000, 'waited the timeout');
    assert.equal(await inspect(trapping, '{{.State.ExitCode}}'), '137');
    assert.match((await cli('logs', 'stubborn')).stdout, /got-term/);

    // As pid 1, sleep ignores TERM (no handler, and the kernel protects pid 1); --init forwards it.
    const custom = await runDetached(
      '--stop-signal',
      'USR1',
      image,
      'sh',
      '-c',
      'trap "echo got-usr1; exit 0" USR1; while true; do sleep 0.1; done',
    );
    assert.equal((await cli('stop', '-t', '5', custom)).code, 0);
    assert.equal(await inspect(custom, '{{.State.ExitCode}}'), '0', '--stop-signal USR1 was sent, not TERM');
    await cli('rm', custom);
    const polite = await runDetached('--init', image, 'sleep', '300');
    assert.equal((await cli('kill', '-s', 'TERM', polite)).code, 0);
    assert.equal((await cli('wait', polite)).stdout.trim(), '143');

    const paused = await runDetached(image, 'sleep', '300');
    assert.equal((await cli('pause', paused)).code, 0);
    assert.equal(await inspect(paused, '{{.State.Status}} {{.State.Paused}}'), 'paused true');
    assert.equal(readCgroupFile('freezer', cgroupParent, paused, 'freezer.state'), 'FROZEN');
    const refused = await cli('rm', paused);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /You cannot remove a paused container/);
    assert.equal((await cli('unpause', paused)).code, 0);
    assert.equal(await inspect(paused, '{{.State.Status}}'), 'running');
    assert.equal((await cli('rm', '-f', paused, polite, 'stubborn')).code, 0);
  });

  test('logs: --tail, -t, --since and -f until the container exits', async () => {
    const id = await runDetached(
      image,
      'sh',
      '-c',
      'for i in 1 2 3 4 5; do echo line-$i; done; echo oops >&2; sleep 1; echo last',
    );
    const followed = await cli('logs', '-f', id);
    assert.equal(followed.code, 0);
    assert.equal(followed.stdout, 'line-1\nline-2\nline-3\nline-4\nline-5\nlast\n');
    assert.equal(followed.stderr, 'oops\n');
    assert.equal((await cli('logs', '--tail', '2', id)).stdout, 'last\n');
    const stamped = await cli('logs', '-t', '--tail', '1', id);
    assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z last\n$/);
    assert.equal((await cli('logs', '--since', String(Date.now() / 1000 + 60), id)).stdout, '');
    await cli('rm', id);
  });

  test('log-opt max-size and max-file rotate the log; logs reads across the rotated files', async () => {
    const id = await runDetached(
      '--log-opt',
      'max-size=4k',
      '--log-opt',
      'max-file=3',
      image,
      'sh',
      '-c',
      'i=0; while [ $i -lt 400 ]; do echo "line $i padded to be a little longer"; i=$((i+1)); sleep 0.005; done; sleep 2; echo done',
    );
    assert.equal((await cli('wait', id)).stdout.trim(), '0');
    const dir = join(agent.dataRoot, 'containers', id);
    const files = readdirSync(dir).filter((name) => name.startsWith(`${id}.log`));
    // The current file may be missing for a moment: a rotation right after the last line waits
    // for conmon's next write (or its exit) to open a new one.
    assert.deepEqual(
      files.filter((name) => name !== `${id}.log`).sort(),
      [`${id}.log.1`, `${id}.log.2`],
      'two rotated files, no more',
    );
    for (const name of files) {
      const size = statSync(join(dir, name)).size;
      assert.ok(size < 16 * 1024, `${name} is ${size} bytes: rotated near 4k, not left to grow`);
    }
    const logs = (await cli('logs', id)).stdout.trim().split('\n');
    assert.equal(logs.at(-1), 'done');
    assert.ok(logs.length < 400, `older lines were rotated away (${logs.length} kept)`);
    assert.match(logs[0]!, /^line \d+ padded/);
    const refused = await cli('create', '--log-opt', 'max-file=zero', image, 'true');
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /invalid log-opt max-file "zero"/);
    await cli('rm', id);
  });

  test('restart policy on-failure:2 restarts twice, then leaves it exited', async () => {
    const id = await runDetached('--restart', 'on-failure:2', image, 'sh', '-c', 'echo run; exit 4');
    await until(
      'two restarts',
      async () => (await inspect(id, '{{.RestartCount}} {{.State.Status}}')) === '2 exited',
    );
    assert.equal((await cli('logs', id)).stdout, 'run\nrun\nrun\n');
    await cli('rm', id);
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

  test('rmi refuses an image a container uses; names, rename and ps filters behave like Docker', async () => {
    const id = (await cli('create', '--name', 'holder', '--label', 'tier=web', image, 'true')).stdout.trim();
    const rmi = await cli('rmi', image);
    assert.equal(rmi.code, 1);
    assert.match(rmi.stderr, /must force.*container .* is using its referenced image/);
    const duplicate = await cli('create', '--name', 'holder', image, 'true');
    assert.equal(duplicate.code, 125);
    assert.match(duplicate.stderr, /The container name "\/holder" is already in use/);
    assert.equal((await cli('rename', 'holder', 'keeper')).code, 0);
    assert.equal(
      (await cli('ps', '-a', '--filter', 'label=tier=web', '--format', '{{.Names}}')).stdout,
      'keeper\n',
    );
    assert.equal(
      (await cli('ps', '-a', '--filter', 'status=created', '--filter', 'label=tier', '-q')).stdout,
      `${id.slice(0, 12)}\n`,
    );
    await cli('rm', 'keeper');
  });

  test('stats: a CPU hog at --cpus 0.5 uses about half a core; memory limit and pids as set; top lists its processes', async () => {
    const hog = await runDetached(
      '--name',
      'spinner',
      '--cpus',
      '0.5',
      '--memory',
      '32m',
      image,
      'sh',
      '-c',
      'while :; do :; done',
    );
    const idle = await runDetached('--name', 'idler', image, 'sleep', '300');
    // Let the quota settle, then average a few stream samples.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sampled = await cli(
      'stats',
      '--no-stream',
      '--format',
      '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}',
      'spinner',
      'idler',
    );
    assert.equal(sampled.code, 0, sampled.stderr);
    const rows = Object.fromEntries(
      sampled.stdout
        .trim()
        .split('\n')
        .map((line) => [line.split(' ')[0], line.split(' ')]),
    );
    const cpu = Number(rows.spinner![1]!.replace('%', ''));
    assert.ok(cpu > 35 && cpu < 65, `spinner at ${cpu}% of a core`);
    assert.equal(rows.spinner![4], '32MiB', 'memory limit shown');
    assert.equal(rows.spinner![5], '1');
    assert.ok(Number(rows.idler![1]!.replace('%', '')) < 5, 'idle container near 0%');

    const counts = await cli(
      'info',
      '--format',
      '{{.Containers}} {{.ContainersRunning}} {{.ContainersStopped}}',
    );
    assert.equal(
      counts.stdout.trim(),
      '2 2 0',
      `info counts the containers: ${(await cli('ps', '-a')).stdout}`,
    );

    const table = await cli('stats', '--no-stream');
    assert.match(
      table.stdout,
      /CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS/,
    );

    const top = await cli('top', idle);
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /^UID\s+PID\s+CPID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD/);
    assert.match(top.stdout, /\n\S+\s+\d+\s+1\s+.*sleep 300/, 'sleep is pid 1 inside');
    assert.match(top.stdout, /sleep 300/);
    assert.doesNotMatch(top.stdout, /while/, 'only this container');
    await cli('rm', '-f', hog, idle);
  });

  test('exec runs inside the container with its namespaces, user, env and workdir, and returns the exit code', async () => {
    const id = await runDetached('--name', 'target', '-e', 'FROM_RUN=1', image, 'sleep', '300');
    const plain = await cli(
      'exec',
      '-e',
      'EXTRA=2',
      '-w',
      '/tmp',
      'target',
      'sh',
      '-c',
      'echo $FROM_RUN$EXTRA; pwd; hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; echo oops >&2; exit 5',
    );
    assert.equal(plain.code, 5, plain.stderr);
    assert.equal(plain.stdout, `12\n/tmp\n${id.slice(0, 12)}\nsleep 300 \n`, 'same pid and uts namespaces');
    assert.equal(plain.stderr, 'oops\n');
    assert.equal((await cli('exec', '-u', 'nobody', 'target', 'id', '-u')).stdout, '65534\n');
    const caps = await cli('exec', 'target', 'grep', '-E', 'CapEff|Seccomp:', '/proc/self/status');
    assert.match(caps.stdout, new RegExp(`CapEff:\\s+${DOCKER_DEFAULT_CAPS}`));
    assert.match(caps.stdout, /Seccomp:\s+2/);
    const piped = await runCli(
      ['-H', agent.host, 'exec', '-i', 'target', 'sh', '-c', 'cat | wc -l'],
      {},
      20_000,
      'a\nb\nc\n',
    );
    assert.equal(piped.stdout.trim(), '3', 'stdin reaches the process and its end closes it');
    const missing = await cli('exec', 'target', 'no-such-tool');
    assert.equal(missing.code, 127, missing.stderr);
    assert.equal((await cli('exec', '-d', 'target', 'sh', '-c', 'echo detached > /tmp/mark')).code, 0);
    await until(
      'the detached exec to run',
      async () => (await cli('exec', 'target', 'cat', '/tmp/mark')).stdout === 'detached\n',
    );

    const terminal = await runCliInTerminal(
      ['-H', agent.host, 'exec', '-it', 'target', 'sh', '-c', 'tty; stty size; sleep 1; stty size'],
      { cols: 100, rows: 30 },
      async (term, output) => {
        await until('the first size', async () => output().includes('30 100'));
        term.resize(120, 40);
      },
    );
    assert.equal(terminal.code, 0, terminal.output);
    assert.match(terminal.output, /\/dev\/pts\/\d+/);
    assert.match(terminal.output, /30 100[\s\S]*40 120/, 'the terminal size follows the client');

    const stopped = await runDetached(image, 'true');
    await cli('wait', stopped);
    const refused = await cli('exec', stopped, 'true');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is not running/);
    await cli('rm', '-f', id, stopped);
  });

  test('run -it gives a real terminal that follows resizes; run -i takes piped stdin; attach joins a running -it container', async () => {
    const session = await runCliInTerminal(
      ['-H', agent.host, 'run', '-it', '--rm', image, 'sh'],
      { cols: 90, rows: 20 },
      async (term, output) => {
        await until('the prompt', async () => output().includes('# '));
        term.write('stty size; echo $((6*7))\r');
        await until('the answer', async () => /42/.test(output()));
        term.resize(110, 33);
        await new Promise((resolve) => setTimeout(resolve, 300));
        term.write('stty size; exit 4\r');
      },
    );
    assert.equal(session.code, 4, session.output);
    assert.match(session.output, /20 90[\s\S]*42[\s\S]*33 110/);

    const piped = await runCli(
      ['-H', agent.host, 'run', '-i', '--rm', image, 'sh', '-c', 'cat | wc -l'],
      {},
      20_000,
      'one\ntwo\n',
    );
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout.trim(), '2');

    const shell = await runDetached('-it', image, 'sh');
    const attached = await runCliInTerminal(
      ['-H', agent.host, 'attach', shell],
      { cols: 80, rows: 24 },
      async (term, output) => {
        term.write('echo attached-$((1+1))\r');
        await until('the echo', async () => output().includes('attached-2'));
        term.write('exit 2\r');
      },
    );
    assert.equal(attached.code, 2, attached.output);
    assert.equal(await inspect(shell, '{{.State.ExitCode}}'), '2');
    await cli('rm', shell);
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

  test('live-restore: a kill -9 of the agent leaves containers running; the next agent adopts them and notices exits', async () => {
    const ticker = await runDetached(
      '--name',
      'ticker',
      image,
      'sh',
      '-c',
      'while true; do echo tick; sleep 0.2; done',
    );
    const ender = await runDetached('--name', 'ender', image, 'sh', '-c', 'sleep 2; exit 7');
    const pid = Number(await inspect(ticker, '{{.State.Pid}}'));
    await agent.kill9();
    const before = readFileSync(join(agent.dataRoot, 'containers', ticker, `${ticker}.log`), 'utf8').length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.ok(existsSync(`/proc/${pid}`), 'the container kept running without the agent');
    const grown = readFileSync(join(agent.dataRoot, 'containers', ticker, `${ticker}.log`), 'utf8').length;
    assert.ok(grown > before, 'its log kept growing');
    await agent.restart();
    assert.equal(await inspect(ticker, '{{.State.Status}} {{.State.Pid}}'), `running ${pid}`);
    assert.equal(await inspect(ender, '{{.State.Status}} {{.State.ExitCode}}'), 'exited 7');
    assert.equal((await cli('stop', '-t', '1', ticker)).code, 0, 'the adopted container is controllable');
    await cli('rm', ticker, ender);

    // A container that dies while the agent is down comes back by its restart policy.
    const since = String(Date.now() / 1000);
    const phoenix = await runDetached('--restart', 'always', image, 'sleep', '300');
    const firstPid = Number(await inspect(phoenix, '{{.State.Pid}}'));
    await agent.kill9();
    process.kill(firstPid, 'SIGKILL');
    await until('the container to die', async () => !existsSync(`/proc/${firstPid}`));
    await agent.restart();
    await until(
      'the restart',
      async () => (await inspect(phoenix, '{{.State.Status}} {{.RestartCount}}')) === 'running 1',
    );
    assert.notEqual(Number(await inspect(phoenix, '{{.State.Pid}}')), firstPid);
    const actions = await eventActions(since, `container=${phoenix}`);
    assert.deepEqual(actions.slice(0, 2), ['create', 'start'], 'events from before the crash are kept');
    assert.ok(actions.includes('die') && actions.lastIndexOf('start') > actions.indexOf('die'), `${actions}`);
    await cli('rm', '-f', phoenix);
  });
});
