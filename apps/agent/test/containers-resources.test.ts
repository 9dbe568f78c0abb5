import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cgroupsUnder, readCgroupFile } from './harness/cgroups.js';
import { useContainerAgent } from './harness/container-agent.js';

describe('containers: resource limits in the cgroups, update, stats and top', () => {
  const suite = useContainerAgent();
  const { cli, inspect, runDetached, cgroupParent } = suite;
  let image: string;
  before(() => {
    ({ image } = suite);
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
    assert.equal(notBlock.code, 1, 'the engine refused: docker create exits 1');
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
    // The engine's refusals exit 1 from `create` (Docker returns them as is), the CLI's own 125.
    const cases: [string[], RegExp, number][] = [
      [['--cpus', '64'], /Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available/, 1],
      [['--cpuset-cpus', '0-63'], /Requested CPUs are not available - requested 0-63, available: /, 1],
      [
        ['--memory', '64m', '--memory-swap', '32m'],
        /Minimum memoryswap limit should be larger than memory limit/,
        1,
      ],
      [['--memory', 'lots'], /invalid argument "lots" for "-m, --memory" flag: invalid size/, 125],
      [['--restart', 'sometimes'], /invalid restart policy "sometimes"/, 125],
      [['--cap-add', 'FLY'], /unknown capability/, 1],
    ];
    for (const [flags, message, code] of cases) {
      const result = await cli('create', ...flags, image, 'true');
      assert.equal(result.code, code, `${flags.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.equal((await cli('ps', '-aq')).stdout, '', 'nothing was created');
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
    // Docker's columns: ps's own, nothing added.
    assert.match(top.stdout, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n/);
    assert.match(top.stdout, /sleep 300/);
    assert.doesNotMatch(top.stdout, /while/, 'only this container');
    await cli('rm', '-f', hog, idle);
  });
});
