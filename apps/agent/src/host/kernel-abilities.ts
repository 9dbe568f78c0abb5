import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the kernel lets containers be limited by and how it forwards, in `docker info`'s names. */
export interface KernelAbilities {
  MemoryLimit: boolean;
  SwapLimit: boolean;
  KernelMemory: boolean;
  KernelMemoryTCP: boolean;
  CpuCfsPeriod: boolean;
  CpuCfsQuota: boolean;
  CPUShares: boolean;
  CPUSet: boolean;
  PidsLimit: boolean;
  OomKillDisable: boolean;
  IPv4Forwarding: boolean;
  BridgeNfIptables: boolean;
  BridgeNfIp6tables: boolean;
}

export interface KernelPaths {
  cgroupRoot: string;
  procSys: string;
}

const HOST_PATHS: KernelPaths = { cgroupRoot: '/sys/fs/cgroup', procSys: '/proc/sys' };

/**
 * The limits cgroups can enforce here, read as Docker reads them: on v2 from the controllers the
 * root offers (memory brings swap too; kernel memory and oom-kill-disable do not exist on v2), on
 * v1 from each controller's files. Forwarding and bridge netfilter from their sysctls.
 */
export async function readKernelAbilities(paths: KernelPaths = HOST_PATHS): Promise<KernelAbilities> {
  const sysctlOn = async (name: string) =>
    (await readFile(join(paths.procSys, name), 'utf8').catch(() => '0')).trim() === '1';
  const [IPv4Forwarding, BridgeNfIptables, BridgeNfIp6tables] = await Promise.all([
    sysctlOn('net/ipv4/ip_forward'),
    sysctlOn('net/bridge/bridge-nf-call-iptables'),
    sysctlOn('net/bridge/bridge-nf-call-ip6tables'),
  ]);
  const controllersFile = join(paths.cgroupRoot, 'cgroup.controllers');
  const limits = existsSync(controllersFile)
    ? cgroupV2Abilities(await readFile(controllersFile, 'utf8'))
    : cgroupV1Abilities((file) => existsSync(join(paths.cgroupRoot, file)));
  return { ...limits, IPv4Forwarding, BridgeNfIptables, BridgeNfIp6tables };
}

type CgroupAbilities = Omit<KernelAbilities, 'IPv4Forwarding' | 'BridgeNfIptables' | 'BridgeNfIp6tables'>;

/** cgroup v2: `cgroup.controllers` lists what can be enabled below the root. */
export function cgroupV2Abilities(controllersText: string): CgroupAbilities {
  const controllers = new Set(controllersText.split(/\s+/).filter(Boolean));
  const memory = controllers.has('memory');
  const cpu = controllers.has('cpu');
  return {
    MemoryLimit: memory,
    SwapLimit: memory,
    KernelMemory: false,
    KernelMemoryTCP: false,
    CpuCfsPeriod: cpu,
    CpuCfsQuota: cpu,
    CPUShares: cpu,
    CPUSet: controllers.has('cpuset'),
    PidsLimit: controllers.has('pids'),
    OomKillDisable: false,
  };
}

/** cgroup v1: one hierarchy per controller; an ability is there when its file is. */
export function cgroupV1Abilities(exists: (relativePath: string) => boolean): CgroupAbilities {
  return {
    MemoryLimit: exists('memory'),
    SwapLimit: exists('memory/memory.memsw.limit_in_bytes'),
    KernelMemory: exists('memory/memory.kmem.limit_in_bytes'),
    KernelMemoryTCP: exists('memory/memory.kmem.tcp.limit_in_bytes'),
    CpuCfsPeriod: exists('cpu/cpu.cfs_period_us'),
    CpuCfsQuota: exists('cpu/cpu.cfs_quota_us'),
    CPUShares: exists('cpu/cpu.shares'),
    CPUSet: exists('cpuset'),
    PidsLimit: exists('pids'),
    OomKillDisable: exists('memory/memory.oom_control'),
  };
}
