import type { HostConfig } from '@stevedore/shared';
import { buildResources, type SpecInput } from '../bundle/build-spec.js';
import type { OciResources } from '../bundle/oci-spec.js';
import { DEFAULT_CPU_SHARES } from './cgroup-limits.js';
import { NANO_CPUS_PERIOD_US } from './configured-limits.js';

export interface UpdateFacts
  extends Pick<SpecInput, 'swapAccounting' | 'blkioWeight' | 'throttleRead' | 'throttleWrite'> {
  cgroupVersion: '1' | '2';
  /** The host's CPUs and memory nodes ("0-3"): a container without a cpuset gets all of them. */
  allCpus: string;
  allMemoryNodes: string;
}

/**
 * The resources `runc update` is given: every limit said explicitly, because runc leaves a limit
 * as it is when its field is absent. Unset limits are spelled as the kernel's "unlimited" or
 * default (-1 for memory, quota and pids; the default period and shares; every CPU and node).
 * On cgroup v2 runc cannot write an unset reservation or shares back (see cgroup-v2-resets.ts).
 */
export function updateResources(host: HostConfig, facts: UpdateFacts): Omit<OciResources, 'devices'> {
  const { devices: _devices, ...resources } = buildResources(host, facts);
  const v1 = facts.cgroupVersion === '1';
  resources.memory = {
    limit: -1,
    ...(v1 ? { reservation: -1 } : {}),
    ...(facts.swapAccounting ? { swap: -1 } : {}),
    ...resources.memory,
  };
  resources.cpu = {
    quota: -1,
    period: NANO_CPUS_PERIOD_US,
    ...(v1 ? { shares: DEFAULT_CPU_SHARES } : {}),
    cpus: facts.allCpus,
    mems: facts.allMemoryNodes,
    ...resources.cpu,
  };
  resources.pids = resources.pids ?? { limit: -1 };
  return resources;
}
