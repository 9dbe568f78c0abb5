import { join } from 'node:path';
import type { ContainerLimits, HostConfig, LimitsCapacity } from '@stevedore/shared';
import type { HostResources } from '../../host/host-resources.js';
import { type FileReader, readWhole } from '../stats/cgroup-counters.js';
import { readLimits } from './cgroup-limits.js';
import { configuredLimits } from './configured-limits.js';
import { formatCpuSet, hostCapacity } from './host-capacity.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';
const PAGE_SIZE = 4096;

/** The v1 controllers whose files hold limits: a file's controller is its name's first part. */
const V1_CONTROLLERS = ['memory', 'cpu', 'cpuset', 'pids', 'blkio'];

export interface LimitsTarget {
  id: string;
  running: boolean;
  hostConfig: HostConfig;
  /** The container's cgroupsPath ("/stevedore/<id>"), relative to each hierarchy's root. */
  cgroupsPath: string;
}

/**
 * A container's limits as the kernel holds them (read back from its cgroup files, v1 or v2),
 * beside what its configuration asks for and what the host offers.
 */
export class ContainerLimitsReader {
  constructor(
    private readonly facts: HostResources,
    private readonly cgroupRoot = CGROUP_ROOT,
    private readonly readFile: FileReader = readWhole,
  ) {}

  capacity(): LimitsCapacity {
    return hostCapacity(this.facts, this.readFile);
  }

  /** The directory holding the container's limit files; v1 has one per controller (shown as a brace list). */
  cgroupDir(cgroupsPath: string): string {
    return this.facts.cgroupVersion === '2'
      ? join(this.cgroupRoot, cgroupsPath)
      : join(this.cgroupRoot, `{${V1_CONTROLLERS.join(',')}}`, cgroupsPath);
  }

  /** The path of one limit file of the container. */
  filePath(cgroupsPath: string, file: string): string {
    return this.facts.cgroupVersion === '2'
      ? join(this.cgroupRoot, cgroupsPath, file)
      : join(this.cgroupRoot, file.split('.')[0] ?? '', cgroupsPath, file);
  }

  read(target: LimitsTarget): ContainerLimits {
    const configured = configuredLimits(target.hostConfig);
    const capacity = this.capacity();
    const readings = target.running
      ? readLimits(this.facts.cgroupVersion, {
          read: (file) => this.readFile(this.filePath(target.cgroupsPath, file)),
          configured,
          pageSize: PAGE_SIZE,
          allCpus: formatCpuSet(this.facts.onlineCpus),
          allMemoryNodes: formatCpuSet(this.facts.memoryNodes),
        })
      : [];
    return {
      containerId: target.id,
      running: target.running,
      cgroupPath: target.running ? this.cgroupDir(target.cgroupsPath) : null,
      configured,
      readings,
      capacity,
      readAt: Date.now(),
    };
  }
}
