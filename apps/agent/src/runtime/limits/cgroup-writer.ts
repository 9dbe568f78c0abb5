import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostConfig, LimitField } from '@stevedore/shared';
import {
  blkioToIoWeight,
  DEFAULT_CPU_SHARES,
  DEFAULT_CPU_WEIGHT,
  parseV1Bytes,
  sharesToWeight,
} from './cgroup-limits.js';
import { configuredLimits, NANO_CPUS_PERIOD_US } from './configured-limits.js';

/** One value for one limit file of the container's cgroup (v1: the controller is the name's first part). */
export interface CgroupWrite {
  file: string;
  value: string;
}

export interface WriteFacts {
  swapAccounting: boolean;
  /** Which weight file the block I/O scheduler offers, if any. */
  blkioWeightFile: string | null;
  /** The host's CPUs and memory nodes ("0-3"): v1's spelling of "no cpuset". */
  allCpus: string;
  allMemoryNodes: string;
}

type Limits = Pick<HostConfig, LimitField>;

const orUnlimited = (value: number | string | null, unlimited: string) =>
  value === null ? unlimited : String(value);

/**
 * The v1 files and values that hold `host`'s limits, every limit said (an unset one as the
 * kernel's unlimited or default), memory first: it is the one the kernel refuses (EBUSY below
 * what it cannot reclaim), and nothing else is written before it. v1 keeps memory ≤ memory+swap
 * at every step, so the one that grows past the other's current value goes first.
 */
export function v1Writes(host: Limits, facts: WriteFacts, current: { memsw: string | null }): CgroupWrite[] {
  const wanted = configuredLimits(host);
  const memory: CgroupWrite = { file: 'memory.limit_in_bytes', value: orUnlimited(wanted.Memory, '-1') };
  const writes: CgroupWrite[] = [memory];
  if (facts.swapAccounting) {
    const memsw: CgroupWrite = {
      file: 'memory.memsw.limit_in_bytes',
      value: orUnlimited(wanted.MemorySwap, '-1'),
    };
    const currentMemsw = current.memsw === null ? null : parseV1Bytes(current.memsw);
    const newMemory = wanted.Memory === null ? Number.POSITIVE_INFINITY : Number(wanted.Memory);
    if (currentMemsw !== null && newMemory > currentMemsw) writes.unshift(memsw);
    else writes.push(memsw);
  }
  writes.push(
    { file: 'memory.soft_limit_in_bytes', value: orUnlimited(wanted.MemoryReservation, '-1') },
    { file: 'cpu.cfs_period_us', value: orUnlimited(wanted.CpuPeriod, String(NANO_CPUS_PERIOD_US)) },
    { file: 'cpu.cfs_quota_us', value: orUnlimited(wanted.CpuQuota, '-1') },
    { file: 'cpu.shares', value: orUnlimited(wanted.CpuShares, String(DEFAULT_CPU_SHARES)) },
    { file: 'cpuset.cpus', value: orUnlimited(wanted.CpusetCpus, facts.allCpus) },
    { file: 'cpuset.mems', value: orUnlimited(wanted.CpusetMems, facts.allMemoryNodes) },
    { file: 'pids.max', value: orUnlimited(wanted.PidsLimit, 'max') },
  );
  // An unset weight is left as the scheduler has it: its default differs (CFQ 500, BFQ 100).
  if (facts.blkioWeightFile && wanted.BlkioWeight !== null) {
    writes.push({ file: facts.blkioWeightFile, value: String(wanted.BlkioWeight) });
  }
  return writes;
}

/**
 * The v2 files and values, with runc's conversions: swap alone in memory.swap.max (Docker's
 * MemorySwap is memory + swap), CPU shares as a weight, "no reservation" as memory.low 0 and
 * "no cpuset" as an empty cpuset (inherit the parent's).
 */
export function v2Writes(host: Limits, facts: WriteFacts): CgroupWrite[] {
  const wanted = configuredLimits(host);
  const writes: CgroupWrite[] = [{ file: 'memory.max', value: orUnlimited(wanted.Memory, 'max') }];
  if (facts.swapAccounting) {
    const swap =
      wanted.Memory === null || wanted.MemorySwap === null
        ? 'max'
        : String(Number(wanted.MemorySwap) - Number(wanted.Memory));
    writes.push({ file: 'memory.swap.max', value: swap });
  }
  const shares = wanted.CpuShares;
  writes.push(
    { file: 'memory.low', value: orUnlimited(wanted.MemoryReservation, '0') },
    {
      file: 'cpu.max',
      value: `${orUnlimited(wanted.CpuQuota, 'max')} ${orUnlimited(wanted.CpuPeriod, String(NANO_CPUS_PERIOD_US))}`,
    },
    {
      file: 'cpu.weight',
      value: String(typeof shares === 'number' ? sharesToWeight(shares) : DEFAULT_CPU_WEIGHT),
    },
    { file: 'cpuset.cpus', value: orUnlimited(wanted.CpusetCpus, '') },
    { file: 'cpuset.mems', value: orUnlimited(wanted.CpusetMems, '') },
    { file: 'pids.max', value: orUnlimited(wanted.PidsLimit, 'max') },
  );
  if (facts.blkioWeightFile && wanted.BlkioWeight !== null) {
    const weight = Number(wanted.BlkioWeight);
    writes.push({
      file: facts.blkioWeightFile,
      value: facts.blkioWeightFile === 'io.weight' ? `default ${blkioToIoWeight(weight)}` : String(weight),
    });
  }
  return writes;
}

/** A write the kernel refused: which file, what value, and the kernel's errno. */
export class CgroupWriteError extends Error {
  constructor(
    readonly file: string,
    readonly value: string,
    readonly code: string,
    reason: string,
  ) {
    super(`writing ${JSON.stringify(value)} to ${file} failed: ${code} (${reason})`);
  }
}

const REASONS: Record<string, string> = {
  EBUSY: 'the kernel cannot bring the cgroup under the new limit now',
  EINVAL: 'the kernel does not accept this value here',
  ENOENT: 'the file does not exist: the controller is not enabled for this cgroup',
  EACCES: 'the file does not exist or cannot be written: the controller is not enabled for this cgroup',
  ENOSPC: 'no such CPU or memory node is allowed for this cgroup',
};

/**
 * Writes each value to the container's cgroup in order; stops at the first the kernel refuses.
 * `dirOf(file)` is the directory holding the file (v1: the controller's hierarchy).
 */
export async function writeCgroupFiles(
  dirOf: (file: string) => string,
  writes: readonly CgroupWrite[],
): Promise<void> {
  for (const { file, value } of writes) {
    try {
      await writeFile(join(dirOf(file), file), value);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw new CgroupWriteError(file, value, code, REASONS[code] ?? (error as Error).message);
    }
  }
}
