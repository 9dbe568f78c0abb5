import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type HostConfig, HostConfigSchema } from '@stevedore/shared';
import { v1Writes, v2Writes, type WriteFacts } from './cgroup-writer.js';
import { formatCpuSet, swapTotalBytes } from './host-capacity.js';
import { changedFields, mergeUpdate, refusedFields } from './merge-update.js';

const MiB = 1024 * 1024;
const base = (overrides: Partial<HostConfig> = {}): HostConfig => ({
  ...HostConfigSchema.parse({}),
  ...overrides,
});
const V1_MAX = '9223372036854771712';

describe('update: merging changes', () => {
  test('0 clears a limit; clearing memory clears its swap; pids 0 or -1 is stored as unlimited', () => {
    const current = base({ Memory: 64 * MiB, MemorySwap: 128 * MiB, PidsLimit: 50, NanoCpus: 1e9 });
    const merged = HostConfigSchema.parse(mergeUpdate(current, { Memory: 0, PidsLimit: -1, NanoCpus: 0 }));
    assert.equal(merged.Memory, 0);
    assert.equal(merged.MemorySwap, 0);
    assert.equal(merged.PidsLimit, null);
    assert.equal(merged.NanoCpus, 0);
    assert.deepEqual(changedFields(current, merged), ['Memory', 'MemorySwap', 'NanoCpus', 'PidsLimit']);
  });

  test("Docker's rules: explicit swap grows with memory; --cpus and a quota replace each other", () => {
    const current = base({ Memory: 64 * MiB, MemorySwap: 96 * MiB, CpuQuota: 50000, CpuPeriod: 100000 });
    const merged = mergeUpdate(current, { Memory: 128 * MiB, NanoCpus: 2e9 });
    assert.equal(merged.MemorySwap, 128 * MiB);
    assert.equal(merged.CpuQuota, 0);
    assert.equal(merged.CpuPeriod, 0);
    assert.equal(mergeUpdate(base({ NanoCpus: 1e9 }), { CpuQuota: 20000 }).NanoCpus, 0);
  });
});

describe('update: the files written', () => {
  const writeFacts = (overrides: Partial<WriteFacts> = {}): WriteFacts => ({
    swapAccounting: true,
    blkioWeightFile: null,
    allCpus: '0-1',
    allMemoryNodes: '0',
    ...overrides,
  });
  const asMap = (writes: { file: string; value: string }[]) =>
    Object.fromEntries(writes.map((w) => [w.file, w.value]));

  test('v1: every unset limit is written as unlimited or the default, memory first', () => {
    const writes = v1Writes(base(), writeFacts(), { memsw: V1_MAX });
    assert.equal(writes[0]?.file, 'memory.limit_in_bytes');
    assert.deepEqual(asMap(writes), {
      'memory.limit_in_bytes': '-1',
      'memory.memsw.limit_in_bytes': '-1',
      'memory.soft_limit_in_bytes': '-1',
      'cpu.cfs_period_us': '100000',
      'cpu.cfs_quota_us': '-1',
      'cpu.shares': '1024',
      'cpuset.cpus': '0-1',
      'cpuset.mems': '0',
      'pids.max': 'max',
    });
  });

  test('v1: set limits in kernel units; memory+swap goes first only when memory grows past it', () => {
    const host = base({
      Memory: 64 * MiB,
      NanoCpus: 0.5e9,
      CpusetCpus: '1',
      PidsLimit: 10,
      CpuShares: 512,
      BlkioWeight: 300,
    });
    const writes = v1Writes(host, writeFacts({ blkioWeightFile: 'blkio.weight' }), {
      memsw: String(256 * MiB),
    });
    assert.deepEqual(writes.slice(0, 2), [
      { file: 'memory.limit_in_bytes', value: String(64 * MiB) },
      { file: 'memory.memsw.limit_in_bytes', value: String(128 * MiB) },
    ]);
    assert.equal(asMap(writes)['cpu.cfs_quota_us'], '50000');
    assert.equal(asMap(writes)['blkio.weight'], '300');
    const growing = v1Writes(base({ Memory: 512 * MiB }), writeFacts(), { memsw: String(128 * MiB) });
    assert.equal(growing[0]?.file, 'memory.memsw.limit_in_bytes');
    const clearing = v1Writes(base(), writeFacts(), { memsw: String(128 * MiB) });
    assert.equal(
      clearing[0]?.file,
      'memory.memsw.limit_in_bytes',
      'unlimited memory needs unlimited memsw first',
    );
    assert.equal(
      asMap(v1Writes(host, writeFacts({ swapAccounting: false }), { memsw: null }))[
        'memory.memsw.limit_in_bytes'
      ],
      undefined,
    );
  });

  test("v2: runc's conversions, swap alone, memory.low 0 and weight 100 when unset, empty cpusets", () => {
    assert.deepEqual(asMap(v2Writes(base(), writeFacts())), {
      'memory.max': 'max',
      'memory.swap.max': 'max',
      'memory.low': '0',
      'cpu.max': 'max 100000',
      'cpu.weight': '100',
      'cpuset.cpus': '',
      'cpuset.mems': '',
      'pids.max': 'max',
    });
    const set = asMap(
      v2Writes(
        base({
          Memory: 64 * MiB,
          MemorySwap: 96 * MiB,
          MemoryReservation: 8 * MiB,
          CpuShares: 512,
          NanoCpus: 1.5e9,
          BlkioWeight: 300,
        }),
        writeFacts({ blkioWeightFile: 'io.weight' }),
      ),
    );
    assert.equal(set['memory.swap.max'], String(32 * MiB));
    assert.equal(set['memory.low'], String(8 * MiB));
    assert.equal(set['cpu.max'], '150000 100000');
    assert.equal(set['cpu.weight'], '20');
    assert.equal(set['io.weight'], 'default 2930');
  });
});

describe('update: naming what the kernel refused', () => {
  test("from runc's message, else every changed limit", () => {
    assert.deepEqual(
      refusedFields('unable to set memory limit to 8388608 (current usage: 31563776, peak usage: 33030144)', [
        'Memory',
        'CpusetCpus',
      ]),
      ['Memory'],
    );
    assert.deepEqual(
      refusedFields('failed to write "1" to "/sys/fs/cgroup/cpuset/x/cpuset.cpus": invalid argument', [
        'CpusetCpus',
      ]),
      ['CpusetCpus'],
    );
    assert.deepEqual(refusedFields('write memory.swap.max: device busy', ['Memory']), ['MemorySwap']);
    assert.deepEqual(refusedFields('something else', ['PidsLimit', 'Memory']), ['PidsLimit', 'Memory']);
  });
});

describe('host capacity', () => {
  test('cpusets in the kernel spelling; swap from /proc/meminfo', () => {
    assert.equal(formatCpuSet([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
    assert.equal(formatCpuSet([0]), '0');
    assert.equal(swapTotalBytes('MemTotal: 100 kB\nSwapTotal:        2048 kB\n'), 2 * MiB);
    assert.equal(swapTotalBytes('SwapTotal:             0 kB'), 0);
  });
});
