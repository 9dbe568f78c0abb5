import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CgroupReading, LimitField } from '@stevedore/shared';
import {
  blkioToIoWeight,
  ioWeightToBlkio,
  parseCpuMax,
  parseV1Bytes,
  parseV2Max,
  parseWeight,
  readV1Limits,
  readV2Limits,
  sharesToWeight,
  weightToShares,
} from './cgroup-limits.js';
import { configuredLimits } from './configured-limits.js';

const MiB = 1024 * 1024;
const V1_MAX = '9223372036854771712';

const hostConfig = (overrides: Record<string, unknown> = {}) => ({
  Memory: 0,
  MemorySwap: 0,
  MemoryReservation: 0,
  NanoCpus: 0,
  CpuShares: 0,
  CpuPeriod: 0,
  CpuQuota: 0,
  CpusetCpus: '',
  CpusetMems: '',
  PidsLimit: null as number | null,
  BlkioWeight: 0,
  ...overrides,
});

function readings(version: 1 | 2, files: Record<string, string>, overrides: Record<string, unknown> = {}) {
  const ctx = {
    read: (file: string) => (file in files ? `${files[file]}\n` : null),
    configured: configuredLimits(hostConfig(overrides)),
    pageSize: 4096,
    allCpus: '0-3',
    allMemoryNodes: '0',
  };
  const list = version === 1 ? readV1Limits(ctx) : readV2Limits(ctx);
  return new Map<LimitField, CgroupReading>(list.map((r) => [r.field, r]));
}

const V1_UNSET = {
  'memory.limit_in_bytes': V1_MAX,
  'memory.memsw.limit_in_bytes': V1_MAX,
  'memory.soft_limit_in_bytes': V1_MAX,
  'cpu.cfs_quota_us': '-1',
  'cpu.cfs_period_us': '100000',
  'cpu.shares': '1024',
  'cpuset.cpus': '0-3',
  'cpuset.mems': '0',
  'pids.max': 'max',
};

const V2_UNSET = {
  'memory.max': 'max',
  'memory.swap.max': 'max',
  'memory.low': '0',
  'cpu.max': 'max 100000',
  'cpu.weight': '100',
  'cpuset.cpus': '',
  'cpuset.mems': '',
  'pids.max': 'max',
  'io.weight': 'default 100',
};

describe('cgroup limit formats', () => {
  test('v1 bytes: a number, or -1 / the huge page-rounded value for unlimited', () => {
    assert.equal(parseV1Bytes('67108864'), 64 * MiB);
    assert.equal(parseV1Bytes(V1_MAX), null);
    assert.equal(parseV1Bytes('-1'), null);
    assert.throws(() => parseV1Bytes('lots'), /not a number/);
  });

  test('v2: "max" is unlimited; cpu.max is quota and period; weights may carry "default"', () => {
    assert.equal(parseV2Max('max'), null);
    assert.equal(parseV2Max('1048576'), MiB);
    assert.deepEqual(parseCpuMax('max 100000'), { quota: null, period: 100000 });
    assert.deepEqual(parseCpuMax('50000 100000'), { quota: 50000, period: 100000 });
    assert.equal(parseWeight('default 100\n8:0 200'), 100);
    assert.equal(parseWeight('500'), 500);
  });

  test("runc's shares and blkio weight conversions, and their inverses", () => {
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(262144), 10000);
    assert.equal(sharesToWeight(1024), 39);
    assert.equal(sharesToWeight(512), 20);
    for (const shares of [2, 512, 1024, 4096, 262144]) {
      assert.equal(sharesToWeight(weightToShares(sharesToWeight(shares))), sharesToWeight(shares));
    }
    assert.equal(blkioToIoWeight(10), 1);
    assert.equal(blkioToIoWeight(1000), 10000);
    assert.equal(ioWeightToBlkio(blkioToIoWeight(500)), 500);
  });
});

describe('limits read back on cgroup v1', () => {
  test('nothing set: every reading is unlimited or the default, and matches', () => {
    const read = readings(1, V1_UNSET);
    for (const reading of read.values()) assert.equal(reading.matches, true, JSON.stringify(reading));
    assert.equal(read.get('Memory')?.applied, null);
    assert.equal(read.get('MemorySwap')?.applied, null);
    assert.equal(read.get('NanoCpus')?.applied, null);
    assert.equal(read.get('PidsLimit')?.applied, null);
    assert.equal(read.get('CpuShares')?.applied, 1024);
    assert.equal(read.get('CpusetCpus')?.note, 'not set: all of the host');
    assert.equal(read.has('BlkioWeight'), false, 'no weight file, no reading');
  });

  test('limits in HostConfig units: bytes, nano-CPUs, shares, cpusets, pids, memory+swap twice memory by default', () => {
    const read = readings(
      1,
      {
        ...V1_UNSET,
        'memory.limit_in_bytes': String(64 * MiB),
        'memory.memsw.limit_in_bytes': String(128 * MiB),
        'memory.soft_limit_in_bytes': String(32 * MiB),
        'cpu.cfs_quota_us': '50000',
        'cpu.shares': '512',
        'cpuset.cpus': '0-1',
        'pids.max': '50',
        'blkio.weight': '300',
      },
      {
        Memory: 64 * MiB,
        MemoryReservation: 32 * MiB,
        NanoCpus: 0.5e9,
        CpuShares: 512,
        CpusetCpus: '0,1',
        PidsLimit: 50,
        BlkioWeight: 300,
      },
    );
    for (const reading of read.values()) assert.equal(reading.matches, true, JSON.stringify(reading));
    assert.equal(read.get('Memory')?.applied, 64 * MiB);
    assert.equal(read.get('MemorySwap')?.applied, 128 * MiB);
    assert.equal(read.get('NanoCpus')?.applied, 0.5e9);
    assert.equal(read.get('NanoCpus')?.raw, '50000, 100000');
    assert.equal(read.get('CpuQuota')?.applied, 50000);
    assert.equal(read.get('CpusetCpus')?.applied, '0-1');
    assert.equal(read.get('PidsLimit')?.applied, 50);
    assert.equal(read.get('BlkioWeight')?.applied, 300);
  });

  test('the kernel rounding a byte limit down to a page is no mismatch; a real difference is', () => {
    const asked = 64 * MiB + 100;
    const rounded = readings(
      1,
      { ...V1_UNSET, 'memory.limit_in_bytes': String(64 * MiB) },
      { Memory: asked },
    );
    assert.equal(rounded.get('Memory')?.matches, true);
    assert.match(rounded.get('Memory')?.note ?? '', /rounded down to whole 4096-byte pages/);
    const other = readings(
      1,
      { ...V1_UNSET, 'memory.limit_in_bytes': String(32 * MiB) },
      { Memory: 64 * MiB },
    );
    assert.equal(other.get('Memory')?.matches, false);
    assert.match(
      other.get('Memory')?.note ?? '',
      /the kernel holds 33554432, the configuration asks for 67108864/,
    );
    const unlimited = readings(1, V1_UNSET, { Memory: 64 * MiB });
    assert.equal(unlimited.get('Memory')?.matches, false);
    assert.match(unlimited.get('Memory')?.note ?? '', /holds unlimited/);
  });

  test('a cleared limit that the kernel still holds is flagged; a cpuset narrower than the host too', () => {
    const read = readings(1, { ...V1_UNSET, 'pids.max': '80', 'cpuset.cpus': '1', 'cpu.shares': '512' });
    assert.equal(read.get('PidsLimit')?.matches, false);
    assert.equal(read.get('CpusetCpus')?.matches, false);
    assert.equal(read.get('CpuShares')?.matches, false);
  });

  test('an unreadable value is reported, not thrown', () => {
    const read = readings(1, { ...V1_UNSET, 'pids.max': 'garbage' }, { PidsLimit: 5 });
    assert.equal(read.get('PidsLimit')?.matches, false);
    assert.match(read.get('PidsLimit')?.note ?? '', /cannot read the value/);
  });
});

describe('limits read back on cgroup v2', () => {
  test('nothing set: "max", memory.low 0, the default weights and empty cpusets all match as unset', () => {
    const read = readings(2, V2_UNSET);
    for (const reading of read.values()) assert.equal(reading.matches, true, JSON.stringify(reading));
    for (const field of [
      'Memory',
      'MemorySwap',
      'MemoryReservation',
      'NanoCpus',
      'PidsLimit',
      'CpuShares',
    ] as const) {
      assert.equal(read.get(field)?.applied, null, field);
    }
  });

  test('memory+swap is memory.max + memory.swap.max; shares and blkio weight convert back from weights', () => {
    const read = readings(
      2,
      {
        ...V2_UNSET,
        'memory.max': String(64 * MiB),
        'memory.swap.max': String(64 * MiB),
        'memory.low': String(16 * MiB),
        'cpu.max': '150000 100000',
        'cpu.weight': String(sharesToWeight(512)),
        'cpuset.cpus': '2-3',
        'pids.max': '100',
        'io.weight': `default ${blkioToIoWeight(300)}`,
      },
      {
        Memory: 64 * MiB,
        MemoryReservation: 16 * MiB,
        NanoCpus: 1.5e9,
        CpuShares: 512,
        CpusetCpus: '2,3',
        PidsLimit: 100,
        BlkioWeight: 300,
      },
    );
    for (const reading of read.values()) assert.equal(reading.matches, true, JSON.stringify(reading));
    assert.equal(read.get('MemorySwap')?.applied, 128 * MiB);
    assert.match(read.get('MemorySwap')?.note ?? '', /memory\.max \+ memory\.swap\.max/);
    assert.equal(read.get('NanoCpus')?.applied, 1.5e9);
    assert.equal(read.get('CpuPeriod')?.applied, 100000);
    assert.equal(read.get('CpuShares')?.applied, 512);
    assert.match(read.get('CpuShares')?.note ?? '', /runc turns shares into/);
    assert.equal(read.get('BlkioWeight')?.applied, 300);
  });

  test('differences are flagged: swap unlimited where limited, a weight that is not the shares asked', () => {
    const read = readings(
      2,
      { ...V2_UNSET, 'memory.max': String(64 * MiB), 'cpu.weight': '100' },
      { Memory: 64 * MiB, MemorySwap: 96 * MiB, CpuShares: 512 },
    );
    assert.equal(read.get('MemorySwap')?.matches, false);
    assert.equal(read.get('CpuShares')?.matches, false);
    assert.match(read.get('CpuShares')?.note ?? '', /cpu\.weight 100, expected 20/);
  });

  test('io.bfq.weight holds the blkio weight as it is', () => {
    const read = readings(2, { ...V2_UNSET, 'io.bfq.weight': 'default 300' }, { BlkioWeight: 300 });
    assert.equal(read.get('BlkioWeight')?.file, 'io.bfq.weight');
    assert.equal(read.get('BlkioWeight')?.applied, 300);
    assert.equal(read.get('BlkioWeight')?.matches, true);
  });

  test('a controller that is not enabled has no files, so no readings', () => {
    assert.deepEqual([...readings(2, { 'cgroup.procs': '1' }).keys()], []);
  });
});

describe('configured limits', () => {
  test("Docker's defaults: swap twice memory, --cpus as a quota over 100 ms, a bare quota shown as CPUs", () => {
    const c = configuredLimits(hostConfig({ Memory: 64 * MiB, NanoCpus: 0.25e9 }));
    assert.equal(c.MemorySwap, 128 * MiB);
    assert.equal(c.CpuQuota, 25000);
    assert.equal(c.CpuPeriod, 100000);
    const quota = configuredLimits(hostConfig({ CpuQuota: 50000, CpuPeriod: 200000, MemorySwap: -1 }));
    assert.equal(quota.NanoCpus, 0.25e9);
    assert.equal(quota.MemorySwap, null);
    assert.equal(configuredLimits(hostConfig({ PidsLimit: -1 })).PidsLimit, null);
  });
});
