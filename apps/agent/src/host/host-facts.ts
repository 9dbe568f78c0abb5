import { existsSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { execFile } from '../util/exec.js';

export interface HostFacts {
  hostname: string;
  kernelVersion: string;
  operatingSystem: string;
  architecture: string;
  ncpu: number;
  cgroupVersion: '1' | '2';
  /** os-release's VERSION_ID ("12"), "" when it has none, as Docker's OSVersion. */
  osVersion: string;
}

export async function readHostFacts(): Promise<HostFacts> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  return {
    hostname: os.hostname(),
    kernelVersion: os.release(),
    operatingSystem: parseOsRelease(osRelease) ?? 'Linux',
    osVersion: osReleaseValue(osRelease, 'VERSION_ID') ?? '',
    // os.machine() is uname -m (x86_64, aarch64), the names Docker shows.
    architecture: os.machine(),
    ncpu: os.cpus().length,
    cgroupVersion: detectCgroupVersion(),
  };
}

/** PRETTY_NAME from an os-release file, unquoted. */
export function parseOsRelease(text: string): string | null {
  return osReleaseValue(text, 'PRETTY_NAME');
}

/** One KEY= value of an os-release file, unquoted. */
export function osReleaseValue(text: string, key: string): string | null {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
  if (!line) return null;
  const value = line.slice(key.length + 1).trim();
  return value.replace(/^(["'])(.*)\1$/, '$2') || null;
}

/** cgroup v2 mounts a unified hierarchy whose root has cgroup.controllers; v1/hybrid does not. */
export function detectCgroupVersion(root = '/sys/fs/cgroup'): '1' | '2' {
  return existsSync(`${root}/cgroup.controllers`) ? '2' : '1';
}

// statfs f_type magic numbers, named as Docker names backing filesystems.
const FILESYSTEM_NAMES = new Map<number, string>([
  [0xef53, 'extfs'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x794c7630, 'overlayfs'],
  [0x2fc12fc1, 'zfs'],
  [0xf2f52010, 'f2fs'],
  [0x6969, 'nfs'],
  [0x65735546, 'fuse'],
  [0x858458f6, 'ramfs'],
]);

// Filesystems that always fill in d_type. xfs does only when formatted with ftype=1.
const ALWAYS_DTYPE = new Set(['extfs', 'btrfs', 'tmpfs', 'overlayfs', 'zfs', 'f2fs', 'nfs', 'ramfs']);

export interface BackingFilesystem {
  name: string;
  supportsDType: boolean;
}

export async function readBackingFilesystem(path: string): Promise<BackingFilesystem> {
  const { type } = await statfs(path);
  const name = FILESYSTEM_NAMES.get(type) ?? `unknown (0x${type.toString(16)})`;
  if (ALWAYS_DTYPE.has(name)) return { name, supportsDType: true };
  if (name === 'xfs') {
    const result = await execFile('xfs_info', [path], { timeoutMs: 10_000 });
    return { name, supportsDType: result.code === 0 ? /ftype=1/.test(result.stdout) : true };
  }
  return { name, supportsDType: false };
}
