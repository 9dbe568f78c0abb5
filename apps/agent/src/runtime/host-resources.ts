import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { type HostConfig, parseCpuSet, StevedoreError } from '@stevedore/shared';
import { detectCgroupVersion } from '../system/host-facts.js';
import type { ThrottleDevice } from './spec/build-spec.js';
import type { OciDevice } from './spec/oci-spec.js';

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

/** `--device-read-bps /dev/sda:1mb` paths → major:minor, refusing what is not a block device. */
export async function throttleDevices(
  entries: readonly { Path: string; Rate: number }[],
): Promise<ThrottleDevice[]> {
  return Promise.all(
    entries.map(async ({ Path, Rate }) => {
      const stats = await stat(Path).catch(() => null);
      if (!stats?.isBlockDevice()) {
        throw new StevedoreError('INVALID_ARGUMENT', `${Path} is not a block device`, { device: Path });
      }
      return { major: devMajor(stats.rdev), minor: devMinor(stats.rdev), rate: Rate };
    }),
  );
}

// glibc's major()/minor(); JavaScript's shifts are 32-bit, so the high word is taken by division.
const highWord = (rdev: number) => Math.floor(rdev / 2 ** 32);
const devMajor = (rdev: number) => ((rdev >>> 8) & 0xfff) | (highWord(rdev) & 0xfffff000);
const devMinor = (rdev: number) => (rdev & 0xff) | ((rdev >>> 12) & 0xfff00);

/** Every device node under /dev (not following symlinks), for privileged containers. */
export async function hostDevices(dir = '/dev'): Promise<OciDevice[]> {
  const devices: OciDevice[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['pts', 'shm', 'mqueue', 'fd'].includes(entry.name)) continue;
      devices.push(...(await hostDevices(path)));
    } else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
      const stats = await stat(path).catch(() => null);
      if (!stats || path === '/dev/console' || path.startsWith('/dev/tty') || path === '/dev/ptmx') continue;
      devices.push({
        path,
        type: entry.isCharacterDevice() ? 'c' : 'b',
        major: devMajor(stats.rdev),
        minor: devMinor(stats.rdev),
        fileMode: stats.mode & 0o7777,
        uid: stats.uid,
        gid: stats.gid,
      });
    }
  }
  return devices;
}
