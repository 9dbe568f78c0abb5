import os from 'node:os';
import type { LimitsCapacity } from '@stevedore/shared';
import type { HostResources } from '../../host/host-resources.js';
import { type FileReader, readWhole } from '../stats/cgroup-counters.js';

/** [0, 1, 2, 5] → "0-2,5", the kernel's cpuset spelling. */
export function formatCpuSet(values: readonly number[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let end = i;
    while (end + 1 < sorted.length && sorted[end + 1] === (sorted[end] ?? 0) + 1) end++;
    parts.push(end === i ? String(sorted[i]) : `${sorted[i]}-${sorted[end]}`);
    i = end + 1;
  }
  return parts.join(',');
}

/** `SwapTotal:  2097148 kB` in /proc/meminfo, in bytes (0 without swap). */
export function swapTotalBytes(meminfo: string): number {
  const kib = /^SwapTotal:\s+(\d+) kB$/m.exec(meminfo)?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

/** What the host offers a container's limits, shown beside each field. */
export function hostCapacity(facts: HostResources, read: FileReader = readWhole): LimitsCapacity {
  return {
    cpus: facts.ncpu,
    cpuList: formatCpuSet(facts.onlineCpus),
    memoryNodes: formatCpuSet(facts.memoryNodes),
    memoryBytes: os.totalmem(),
    swapBytes: swapTotalBytes(read('/proc/meminfo') ?? ''),
    swapAccounting: facts.swapAccounting,
    cgroupVersion: facts.cgroupVersion === '1' ? 1 : 2,
  };
}
