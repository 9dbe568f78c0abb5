import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, createAgentClient } from '@stevedore/agent-api';
import type { CgroupReading, ContainerLimits, LimitField, ResourcesUpdate } from '@stevedore/shared';
import { cgroupDir, cgroupV2, readCgroupFile } from './harness/cgroups.js';
import { useContainerAgent } from './harness/container-agent.js';
import { until } from './harness/until.js';

const MiB = 1024 * 1024;
/** What v1 shows for "no limit": the largest page-aligned 64-bit value. */
const V1_UNLIMITED = '9223372036854771712';

/**
 * Live limits on cgroup v1 (this host's): update sets them, the test reads the host's cgroup
 * files itself (not through the agent), clears them again, sees refusals change nothing and the
 * limits survive container and agent restarts.
 */
const V2_HOST =
  'a cgroup v2 host: these read v1 files and rely on v1 refusals (EBUSY, a quota above the parent); v2 is in limits-cgroup2.test.ts';

describe('limits: update applies live, read back from the cgroup (v1)', {
  skip: cgroupV2() ? V2_HOST : false,
}, () => {
  const suite = useContainerAgent();
  const { cli, inspect, runDetached, cgroupParent } = suite;
  let connection: AgentConnection;
  const api = () => connection.client;
  const file = (controller: string, id: string, name: string) =>
    readCgroupFile(controller, cgroupParent, id, name);
  const update = (container: string, resources: ResourcesUpdate) =>
    api().containers.update.mutate({ container, resources });
  const byField = (limits: ContainerLimits) =>
    new Map<LimitField, CgroupReading>(limits.readings.map((reading) => [reading.field, reading]));
  const allCpus = () => file('cpuset', '', 'cpuset.cpus');

  before(() => {
    connection = createAgentClient({ host: suite.agent.host });
  });
  after(async () => {
    await connection?.close();
  });

  /** Every limit of a container without any: the kernel's unlimited or default values. */
  function assertUnlimited(id: string) {
    assert.equal(file('memory', id, 'memory.limit_in_bytes'), V1_UNLIMITED);
    assert.equal(file('memory', id, 'memory.memsw.limit_in_bytes'), V1_UNLIMITED);
    assert.equal(file('memory', id, 'memory.soft_limit_in_bytes'), V1_UNLIMITED);
    assert.equal(file('cpu', id, 'cpu.cfs_quota_us'), '-1');
    assert.equal(file('cpu', id, 'cpu.cfs_period_us'), '100000');
    assert.equal(file('cpu', id, 'cpu.shares'), '1024');
    assert.equal(file('cpuset', id, 'cpuset.cpus'), allCpus());
    assert.equal(file('pids', id, 'pids.max'), 'max');
  }

  test('memory, CPUs, shares, cpuset and pids set live land in the cgroup files and are read back as applied', async () => {
    const id = await runDetached(image(), 'sleep', '300');
    assertUnlimited(id);
    const twoCpus = allCpus() !== '0';
    const result = await update(id, {
      Memory: 64 * MiB,
      MemoryReservation: 32 * MiB,
      NanoCpus: 0.5e9,
      CpuShares: 512,
      PidsLimit: 40,
      ...(twoCpus ? { CpusetCpus: '1' } : {}),
      BlkioWeight: 300,
    });
    assert.equal(file('memory', id, 'memory.limit_in_bytes'), String(64 * MiB));
    assert.equal(
      file('memory', id, 'memory.memsw.limit_in_bytes'),
      String(128 * MiB),
      'swap as much as memory',
    );
    assert.equal(file('memory', id, 'memory.soft_limit_in_bytes'), String(32 * MiB));
    assert.equal(file('cpu', id, 'cpu.cfs_quota_us'), '50000');
    assert.equal(file('cpu', id, 'cpu.shares'), '512');
    assert.equal(file('pids', id, 'pids.max'), '40');
    if (twoCpus) assert.equal(file('cpuset', id, 'cpuset.cpus'), '1');

    const readings = byField(result.limits);
    assert.equal(result.limits.running, true);
    assert.equal(result.limits.capacity.cgroupVersion, 1);
    for (const reading of readings.values()) assert.equal(reading.matches, true, JSON.stringify(reading));
    assert.equal(readings.get('Memory')?.applied, 64 * MiB);
    assert.equal(readings.get('Memory')?.raw, String(64 * MiB));
    assert.equal(readings.get('MemorySwap')?.applied, 128 * MiB);
    assert.equal(readings.get('NanoCpus')?.applied, 0.5e9);
    assert.equal(readings.get('CpuShares')?.applied, 512);
    assert.equal(readings.get('PidsLimit')?.applied, 40);
    // No CFQ/BFQ scheduler here means no weight file: Docker's warning, and no reading to fake.
    const weightFile = readings.get('BlkioWeight');
    if (weightFile) assert.equal(weightFile.applied, 300);
    else assert.match(result.Warnings.join('\n'), /does not support Block I\/O weight/);

    // A kernel value changed behind the agent's back is flagged, not hidden.
    writeFileSync(`${cgroupDir('pids', cgroupParent, id)}/pids.max`, '41');
    const drifted = byField(await api().containers.limits.query({ container: id })).get('PidsLimit');
    assert.equal(drifted?.matches, false);
    assert.equal(drifted?.applied, 41);
    assert.equal(drifted?.configured, 40);
    assert.match(drifted?.note ?? '', /the kernel holds 41, the configuration asks for 40/);
    await cli('rm', '-f', id);
  });

  test('clearing through the API: 0 / -1 put every limit back to unlimited in the cgroup', async () => {
    const id = await runDetached(
      ...['--memory', '64m', '--memory-reservation', '16m', '--cpus', '0.5', '--cpu-shares', '256'],
      ...['--pids-limit', '30', '--cpuset-cpus', '0'],
      image(),
      'sleep',
      '300',
    );
    assert.equal(file('memory', id, 'memory.limit_in_bytes'), String(64 * MiB));
    const result = await update(id, {
      Memory: 0,
      MemoryReservation: 0,
      NanoCpus: 0,
      CpuShares: 0,
      PidsLimit: -1,
      CpusetCpus: '',
    });
    assertUnlimited(id);
    const readings = byField(result.limits);
    for (const field of ['Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'PidsLimit'] as const) {
      assert.equal(readings.get(field)?.applied, null, field);
      assert.equal(readings.get(field)?.configured, null, field);
      assert.equal(readings.get(field)?.matches, true, field);
    }
    assert.equal(
      await inspect(
        id,
        '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}} [{{.HostConfig.CpusetCpus}}]',
      ),
      '0 0 0 0 <no value> []',
    );
    // A CPU quota (not --cpus) is cleared the same way.
    await update(id, { CpuQuota: 20000, CpuPeriod: 50000 });
    assert.equal(file('cpu', id, 'cpu.cfs_quota_us'), '20000');
    assert.equal(file('cpu', id, 'cpu.cfs_period_us'), '50000');
    await update(id, { CpuQuota: 0, CpuPeriod: 0 });
    assertUnlimited(id);
    await cli('rm', '-f', id);
  });

  test('the CLI: -1 clears (and --cpus 0, --pids-limit 0), --memory 0 leaves the limit, the name is printed', async () => {
    const id = await runDetached('--name', 'limited', image(), 'sleep', '300');
    const set = await cli('update', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '30', 'limited');
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'limited\n');
    assert.equal(file('memory', id, 'memory.limit_in_bytes'), String(64 * MiB));
    const unchanged = await cli('update', '--memory', '0', 'limited');
    assert.equal(unchanged.code, 0, unchanged.stderr);
    assert.equal(
      file('memory', id, 'memory.limit_in_bytes'),
      String(64 * MiB),
      '--memory 0 is "unchanged", as in Docker',
    );
    const cleared = await cli('update', '--memory', '-1', '--cpus', '0', '--pids-limit', '-1', 'limited');
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal(cleared.stdout, 'limited\n');
    assertUnlimited(id);
    await cli('update', '--pids-limit', '12', 'limited');
    assert.equal(file('pids', id, 'pids.max'), '12');
    await cli('update', '--pids-limit', '0', 'limited');
    assert.equal(file('pids', id, 'pids.max'), 'max');

    const bad = await cli('update', '--memory', '1k', 'limited');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Minimum memory limit allowed is 6MB/);
    const help = await cli('update', '--help');
    assert.match(help.stdout, /-1 removes the limit; 0 leaves it unchanged/);
    await cli('rm', '-f', id);
  });

  test('a change the kernel refuses (memory below what it cannot reclaim) changes nothing, in the cgroup or the config', async () => {
    // tmpfs pages are charged to the container and, without swap, cannot be reclaimed: EBUSY.
    const id = await runDetached(
      ...['--name', 'full', '--memory', '64m', '--pids-limit', '50'],
      image(),
      'sh',
      '-c',
      'dd if=/dev/zero of=/dev/shm/fill bs=1M count=40 2>/dev/null; sleep 300',
    );
    await until(
      'the tmpfs fill',
      async () => Number(file('memory', id, 'memory.usage_in_bytes')) > 40 * MiB,
      10_000,
    );
    const before = {
      memory: file('memory', id, 'memory.limit_in_bytes'),
      memsw: file('memory', id, 'memory.memsw.limit_in_bytes'),
      cpuset: file('cpuset', id, 'cpuset.cpus'),
      pids: file('pids', id, 'pids.max'),
      quota: file('cpu', id, 'cpu.cfs_quota_us'),
    };
    const config = await inspect(id, '{{json .HostConfig}}');
    const twoCpus = allCpus() !== '0';
    // cpuset and pids are written around memory: a partial write must be undone.
    const refused = await update(id, {
      Memory: 16 * MiB,
      PidsLimit: 20,
      NanoCpus: 0.25e9,
      ...(twoCpus ? { CpusetCpus: '1' } : {}),
    }).then(
      () => null,
      (error: Error) => error,
    );
    assert.ok(refused, 'the kernel refuses a limit below unreclaimable usage');
    assert.match(refused.message, /Cannot update container full: the kernel refused Memory: /);
    assert.match(
      refused.message,
      /writing "16777216" to memory\.limit_in_bytes failed: EBUSY \(.*\); the container uses [\d.]+ ?MiB \(\d+ bytes\)/,
    );
    assert.match(refused.message, /Nothing was changed\./);
    assert.deepEqual(
      {
        memory: file('memory', id, 'memory.limit_in_bytes'),
        memsw: file('memory', id, 'memory.memsw.limit_in_bytes'),
        cpuset: file('cpuset', id, 'cpuset.cpus'),
        pids: file('pids', id, 'pids.max'),
        quota: file('cpu', id, 'cpu.cfs_quota_us'),
      },
      before,
    );
    assert.equal(await inspect(id, '{{json .HostConfig}}'), config);
    const limits = await api().containers.limits.query({ container: id });
    assert.ok(
      limits.readings.every((reading) => reading.matches),
      JSON.stringify(limits.readings),
    );

    const viaCli = await cli('update', '--memory', '16m', 'full');
    assert.equal(viaCli.code, 1);
    assert.match(viaCli.stderr, /Cannot update container full: the kernel refused Memory/);

    // memory+swap below memory: refused before the kernel is asked, with Docker's words.
    const swap = await cli('update', '--memory', '64m', '--memory-swap', '32m', 'full');
    assert.equal(swap.code, 1);
    assert.match(swap.stderr, /Minimum memoryswap limit should be larger than memory limit/);
    assert.equal(file('memory', id, 'memory.memsw.limit_in_bytes'), before.memsw);
    assert.equal(await inspect(id, '{{json .HostConfig}}'), config);
    await cli('rm', '-f', id);
  });

  test("a refusal after other limits were written puts those back (v1: a quota above the parent cgroup's)", async () => {
    const id = await runDetached('--name', 'capped', '--memory', '64m', image(), 'sleep', '300');
    // v1 refuses a child quota above its parent's: a refusal that comes after memory is written.
    const parentQuota = `${cgroupDir('cpu', cgroupParent, id)}/../cpu.cfs_quota_us`;
    writeFileSync(parentQuota, '100000');
    try {
      const config = await inspect(id, '{{json .HostConfig}}');
      const refused = await update(id, { Memory: 32 * MiB, PidsLimit: 9, NanoCpus: 1.5e9 }).then(
        () => null,
        (error: Error) => error,
      );
      assert.ok(refused, 'a quota above the parent cgroup is refused');
      assert.match(
        refused.message,
        /^Cannot update container capped: the kernel refused NanoCpus: writing "150000" to cpu\.cfs_quota_us failed: EINVAL .* Nothing was changed\.$/,
      );
      assert.equal(
        file('memory', id, 'memory.limit_in_bytes'),
        String(64 * MiB),
        'memory, written first, put back',
      );
      assert.equal(file('memory', id, 'memory.memsw.limit_in_bytes'), String(128 * MiB));
      assert.equal(file('cpu', id, 'cpu.cfs_quota_us'), '-1');
      assert.equal(file('pids', id, 'pids.max'), 'max');
      assert.equal(await inspect(id, '{{json .HostConfig}}'), config);
    } finally {
      writeFileSync(parentQuota, '-1');
      await cli('rm', '-f', id);
    }
  });

  test('limits changed live persist across container restart, agent restart and kill -9 of the agent', async () => {
    const id = await runDetached('--name', 'kept', image(), 'sleep', '300');
    await update(id, { Memory: 96 * MiB, PidsLimit: 33, NanoCpus: 0.75e9 });
    const assertKept = (when: string) => {
      assert.equal(file('memory', id, 'memory.limit_in_bytes'), String(96 * MiB), when);
      assert.equal(file('pids', id, 'pids.max'), '33', when);
      assert.equal(file('cpu', id, 'cpu.cfs_quota_us'), '75000', when);
    };
    const restarted = await cli('restart', '-t', '0', 'kept');
    assert.equal(restarted.code, 0, restarted.stderr);
    assertKept('after the container restarted');

    await update(id, { PidsLimit: 34 });
    await connection.close();
    await suite.agent.kill9();
    await suite.agent.restart();
    connection = createAgentClient({ host: suite.agent.host });
    assert.equal(file('pids', id, 'pids.max'), '34', 'the running container kept it');
    const limits = await api().containers.limits.query({ container: 'kept' });
    assert.equal(limits.configured.PidsLimit, 34, 'the agent read it back from its store after kill -9');
    assert.ok(
      limits.readings.every((reading) => reading.matches),
      JSON.stringify(limits.readings),
    );

    await update(id, { PidsLimit: 33 });
    await connection.close();
    await suite.agent.restart();
    connection = createAgentClient({ host: suite.agent.host });
    const again = await cli('restart', '-t', '0', 'kept');
    assert.equal(again.code, 0, again.stderr);
    assertKept('after the agent and then the container restarted');
    assert.equal(await inspect(id, '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}'), `${96 * MiB} 33`);

    // A stopped container takes the change for its next start; nothing is read back.
    await cli('stop', '-t', '0', 'kept');
    const stopped = await update(id, { PidsLimit: 35 });
    assert.equal(stopped.limits.running, false);
    assert.deepEqual(stopped.limits.readings, []);
    await cli('start', 'kept');
    assert.equal(file('pids', id, 'pids.max'), '35');
    await cli('rm', '-f', id);
  });

  function image() {
    return suite.image;
  }
});
