import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type HostConfig, HostConfigSchema } from '@stevedore/shared';
import { v2Resets } from './cgroup-v2-resets.js';
import { configuredLimits } from './configured-limits.js';
import { formatCpuSet, swapTotalBytes } from './host-capacity.js';
import { changedFields, mergeUpdate, refusedFields } from './merge-update.js';
import { type UpdateFacts, updateResources } from './update-resources.js';

const MiB = 1024 * 1024;
const base = (overrides: Partial<HostConfig> = {}): HostConfig => ({
  ...HostConfigSchema.parse({}),
  ...overrides,
});
const facts = (overrides: Partial<UpdateFacts> = {}): UpdateFacts => ({
  cgroupVersion: '1',
  swapAccounting: true,
  blkioWeight: false,
  throttleRead: [],
  throttleWrite: [],
  allCpus: '0-1',
  allMemoryNodes: '0',
  ...overrides,
});

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

describe('update: what runc is given', () => {
  test('every unset limit is said as unlimited or the default, because runc keeps absent ones', () => {
    const resources = updateResources(base(), facts());
    assert.deepEqual(resources.memory, { limit: -1, reservation: -1, swap: -1 });
    assert.deepEqual(resources.cpu, { quota: -1, period: 100000, shares: 1024, cpus: '0-1', mems: '0' });
    assert.deepEqual(resources.pids, { limit: -1 });
  });

  test('set limits win over the defaults; no swap without swap accounting', () => {
    const resources = updateResources(
      base({ Memory: 64 * MiB, NanoCpus: 0.5e9, CpusetCpus: '1', PidsLimit: 10, CpuShares: 512 }),
      facts({ swapAccounting: false }),
    );
    assert.deepEqual(resources.memory, { limit: 64 * MiB, reservation: -1 });
    assert.deepEqual(resources.cpu, { quota: 50000, period: 100000, shares: 512, cpus: '1', mems: '0' });
    assert.deepEqual(resources.pids, { limit: 10 });
  });

  test('cgroup v2: no -1 reservation (runc would write memory.low "max") and no shares; the agent resets them', () => {
    const resources = updateResources(base(), facts({ cgroupVersion: '2' }));
    assert.deepEqual(resources.memory, { limit: -1, swap: -1 });
    assert.equal(resources.cpu?.shares, undefined);
    assert.deepEqual(v2Resets(configuredLimits(base())), [
      { file: 'memory.low', value: '0' },
      { file: 'cpu.weight', value: '100' },
    ]);
    assert.deepEqual(v2Resets(configuredLimits(base({ MemoryReservation: 8 * MiB, CpuShares: 512 }))), []);
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
