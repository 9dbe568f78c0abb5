import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseCpuSet } from '@stevedore/shared';
import { detectCgroupVersion } from './host-facts.js';

/** What the host offers containers, read once at start: the limits are checked against it. */
export interface HostResources {
  ncpu: number;
  onlineCpus: number[];
  memoryNodes: number[];
  cgroupVersion: '1' | '2';
  swapAccounting: boolean;
  /** The agent's hard RLIMIT_NOFILE: a container may not be given more. */
  nofileHardLimit: number;
  /** tini for `--init`, when installed. */
  initBinary: string | null;
  /** Capabilities in the agent's own bounding set: a container cannot be given more. */
  boundingCapabilities: string[];
  /** Whether the block I/O scheduler takes a weight (CFQ/BFQ); without one Docker drops it. */
  blkioWeight: boolean;
}

/** Linux capability numbers, in order (capability.h). */
const CAPABILITIES_BY_NUMBER = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
].map((name) => `CAP_${name}`); // biome-ignore format: one table

/** `CapBnd: 000001fffeffffff` → the capability names whose bits are set. */
export function capabilitiesFromMask(hexMask: string): string[] {
  const mask = BigInt(`0x${hexMask}`);
  return CAPABILITIES_BY_NUMBER.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

export async function readHostResources(): Promise<HostResources> {
  const cgroupVersion = detectCgroupVersion();
  const cpusetRoot = cgroupVersion === '1' ? '/sys/fs/cgroup/cpuset' : '/sys/fs/cgroup';
  const onlineCpus = await readFile('/sys/devices/system/cpu/online', 'utf8')
    .then((text) => parseCpuSet(text.trim()))
    .catch(() => Array.from({ length: os.availableParallelism() }, (_, i) => i));
  const memoryNodes = await readFile(
    cgroupVersion === '1' ? join(cpusetRoot, 'cpuset.mems') : '/sys/devices/system/node/online',
    'utf8',
  )
    .then((text) => (text.trim() ? parseCpuSet(text.trim()) : [0]))
    .catch(() => [0]);
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const bounding = /^CapBnd:\s+([0-9a-f]+)$/m.exec(status)?.[1];
  const nofile = /^Max open files\s+\S+\s+(\S+)/m.exec(limits)?.[1];
  return {
    ncpu: os.availableParallelism(),
    onlineCpus,
    memoryNodes,
    cgroupVersion,
    swapAccounting:
      cgroupVersion === '2' ? true : existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'),
    nofileHardLimit: nofile && /^\d+$/.test(nofile) ? Number(nofile) : Number.MAX_SAFE_INTEGER,
    initBinary: ['/usr/bin/tini-static', '/usr/bin/docker-init'].find((path) => existsSync(path)) ?? null,
    boundingCapabilities: bounding ? capabilitiesFromMask(bounding) : [...CAPABILITIES_BY_NUMBER],
    blkioWeight:
      cgroupVersion === '1'
        ? ['blkio.weight', 'blkio.bfq.weight'].some((file) => existsSync(join('/sys/fs/cgroup/blkio', file)))
        : true,
  };
}
