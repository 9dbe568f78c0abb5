import { type HostConfig, parseCpuSet, StevedoreError } from '@stevedore/shared';
import type { HostResources } from '../host/host-resources.js';

const formatSet = (values: number[]) => values.join(',');

/**
 * Limits that only the host can judge, refused with Docker's wording: more CPUs than exist, a
 * cpuset naming absent CPUs or memory nodes, ulimits above what the agent itself may hand out.
 * Returns warnings for settings the host cannot apply but Docker accepts (swap without accounting).
 */
export function checkHostLimits(host: Partial<HostConfig>, facts: HostResources): string[] {
  const refuse = (message: string, field: string) => {
    throw new StevedoreError('INVALID_ARGUMENT', message, { field });
  };
  if (host.NanoCpus && (host.NanoCpus < 1e7 || host.NanoCpus > facts.ncpu * 1e9)) {
    refuse(
      `Range of CPUs is from 0.01 to ${facts.ncpu}.00, as there are only ${facts.ncpu} CPUs available`,
      'NanoCpus',
    );
  }
  if (host.CpusetCpus) {
    const wanted = parseCpuSet(host.CpusetCpus);
    if (wanted.some((cpu) => !facts.onlineCpus.includes(cpu))) {
      refuse(
        `Requested CPUs are not available - requested ${host.CpusetCpus}, available: ${formatSet(facts.onlineCpus)}`,
        'CpusetCpus',
      );
    }
  }
  if (host.CpusetMems) {
    const wanted = parseCpuSet(host.CpusetMems);
    if (wanted.some((node) => !facts.memoryNodes.includes(node))) {
      refuse(
        `Requested memory nodes are not available - requested ${host.CpusetMems}, available: ${formatSet(facts.memoryNodes)}`,
        'CpusetMems',
      );
    }
  }
  if (host.OomKillDisable && facts.cgroupVersion === '2') {
    refuse(
      '--oom-kill-disable is only supported on cgroup v1 hosts (this host uses cgroup v2)',
      'OomKillDisable',
    );
  }
  for (const ulimit of host.Ulimits ?? []) {
    if (ulimit.Name === 'nofile' && ulimit.Hard > facts.nofileHardLimit) {
      refuse(
        `ulimit nofile=${ulimit.Soft}:${ulimit.Hard} is above the agent's hard limit of ${facts.nofileHardLimit} open files`,
        'Ulimits',
      );
    }
  }
  for (const cap of host.CapAdd ?? []) {
    if (cap !== 'ALL' && !facts.boundingCapabilities.includes(cap)) {
      refuse(`capability ${cap} is not available on this host (the agent itself does not hold it)`, 'CapAdd');
    }
  }
  const warnings: string[] = [];
  if (host.BlkioWeight && !facts.blkioWeight) {
    warnings.push(
      'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
    );
  }
  if (host.MemorySwap && host.MemorySwap > 0 && !facts.swapAccounting) {
    warnings.push(
      'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
    );
  }
  return warnings;
}
