import { type HostConfig, LIMIT_FIELDS, type LimitField, type ResourcesUpdate } from '@stevedore/shared';

/**
 * `update`'s changes laid over a container's HostConfig, with Docker's rules and Stevedore's
 * clearing: 0 clears Memory, MemoryReservation, NanoCpus, CpuShares, CpuPeriod, CpuQuota and
 * BlkioWeight, "" a cpuset, 0 or -1 the pids limit (stored as null). Clearing memory clears its
 * swap too unless the same update gives one.
 */
export function mergeUpdate(current: HostConfig, changes: ResourcesUpdate): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current, ...changes };
  if (changes.PidsLimit !== undefined && changes.PidsLimit <= 0) merged.PidsLimit = null;
  if (changes.Memory !== undefined && changes.MemorySwap === undefined) {
    if (changes.Memory === 0) merged.MemorySwap = 0;
    else if (current.MemorySwap > 0) {
      // Docker keeps the swap share when only memory changes and swap was explicit.
      merged.MemorySwap = Math.max(current.MemorySwap, changes.Memory);
    }
  }
  if (changes.NanoCpus) Object.assign(merged, { CpuPeriod: 0, CpuQuota: 0 });
  if (changes.CpuQuota || changes.CpuPeriod) merged.NanoCpus = 0;
  return merged;
}

/** The limits an update changes (to name them when the kernel refuses). */
export function changedFields(before: HostConfig, after: HostConfig): LimitField[] {
  return LIMIT_FIELDS.filter((field) => before[field] !== after[field]);
}

/** Which limit a cgroup file holds, v1 and v2 names. */
const FIELD_OF_FILE: [RegExp, LimitField[]][] = [
  [/memory\.memsw\.limit_in_bytes|memory\.swap\.max|memory swap/i, ['MemorySwap']],
  [/memory\.soft_limit_in_bytes|memory\.low|memory reservation/i, ['MemoryReservation']],
  [/memory\.limit_in_bytes|memory\.max|memory limit/i, ['Memory']],
  [/cpu\.cfs_quota_us|cpu\.cfs_period_us|cpu\.max/i, ['NanoCpus', 'CpuQuota', 'CpuPeriod']],
  [/cpu\.shares|cpu\.weight/i, ['CpuShares']],
  [/cpuset\.cpus/i, ['CpusetCpus']],
  [/cpuset\.mems/i, ['CpusetMems']],
  [/pids\.max/i, ['PidsLimit']],
  [/blkio\.(bfq\.)?weight|io\.(bfq\.)?weight/i, ['BlkioWeight']],
];

/**
 * The limits the kernel refused, from runc's message (which names the file or the limit); the
 * changed limits when it names none.
 */
export function refusedFields(message: string, changed: readonly LimitField[]): LimitField[] {
  for (const [pattern, fields] of FIELD_OF_FILE) {
    if (pattern.test(message)) {
      const named = fields.filter((field) => changed.includes(field));
      return named.length > 0 ? named : fields.slice(0, 1);
    }
  }
  return [...changed];
}
