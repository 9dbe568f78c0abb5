import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a small kernel file whole, or null when it does not exist (any more). */
export type FileReader = (path: string) => string | null;

export const readWhole: FileReader = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/**
 * Kernel files kept open and re-read with pread at offset 0: one syscall per counter per tick
 * instead of open, fstat, read and close. `retain` closes what belongs to containers gone.
 */
export class OpenCounterFiles {
  private readonly fds = new Map<string, number>();
  private readonly buffer = Buffer.alloc(64 * 1024);

  readonly read: FileReader = (path) => {
    let fd = this.fds.get(path);
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch {
        return null;
      }
      this.fds.set(path, fd);
    }
    try {
      const length = readSync(fd, this.buffer, 0, this.buffer.length, 0);
      return this.buffer.toString('utf8', 0, length);
    } catch {
      this.drop(path);
      return null;
    }
  };

  /** Closes every file whose path contains none of `keys` (container IDs and pids still live). */
  retain(keys: readonly string[]): void {
    for (const path of this.fds.keys()) if (!keys.some((key) => path.includes(key))) this.drop(path);
  }

  close(): void {
    for (const path of [...this.fds.keys()]) this.drop(path);
  }

  private drop(path: string): void {
    const fd = this.fds.get(path);
    this.fds.delete(path);
    if (fd !== undefined) closeSync(fd);
  }
}

/** Raw counters of one container at one instant; `computeStats` turns two of them into rates. */
export interface CgroupCounters {
  /** Total CPU time used, nanoseconds. */
  cpuNanos: number;
  memoryUsage: number;
  /** Inactive file cache, subtracted from usage as `docker stats` does. */
  inactiveFile: number;
  /** null: no limit. */
  memoryLimit: number | null;
  blockRead: number;
  blockWrite: number;
  pids: number;
  /** CFS periods in which the cgroup was throttled (cpu.stat nr_throttled), cumulative. */
  throttledPeriods: number;
  /** Time the cgroup was throttled, nanoseconds, cumulative. */
  throttledNanos: number;
  /** CFS periods elapsed (cpu.stat nr_periods), cumulative; 0 without a CPU quota. */
  periods: number;
  /** Swap in use, bytes; 0 without swap accounting. */
  swapUsage: number;
}

const UNLIMITED_V1 = 2 ** 62; // v1 reports "no limit" as a huge page-rounded number

const numberFrom = (text: string | null) => (text === null ? 0 : Number(text.trim()) || 0);

/** The value of `key` in a flat-keyed stat file (`key value` per line), without building regexes. */
function statField(text: string | null, key: string): number {
  if (!text) return 0;
  const at = text.startsWith(`${key} `) ? 0 : text.indexOf(`\n${key} `) + 1;
  if (at <= 0 && !text.startsWith(`${key} `)) return 0;
  const start = at + key.length + 1;
  const end = text.indexOf('\n', start);
  return Number(text.slice(start, end < 0 ? undefined : end)) || 0;
}

/**
 * Reads a container's counters from the cgroup files, v1 (one tree per controller) or v2 (one
 * unified tree). `root` is the cgroup mount (normally /sys/fs/cgroup), `path` the container's
 * cgroupsPath.
 */
export function readCgroupCounters(
  version: '1' | '2',
  root: string,
  path: string,
  read: FileReader = readWhole,
): CgroupCounters {
  if (version === '2') {
    const dir = join(root, path);
    const cpuStat = read(join(dir, 'cpu.stat'));
    const current = numberFrom(read(join(dir, 'memory.current')));
    const memStat = read(join(dir, 'memory.stat'));
    const max = read(join(dir, 'memory.max'));
    const io = read(join(dir, 'io.stat'));
    const pids = numberFrom(read(join(dir, 'pids.current')));
    let blockRead = 0;
    let blockWrite = 0;
    for (const line of (io ?? '').split('\n')) {
      blockRead += Number(/rbytes=(\d+)/.exec(line)?.[1] ?? 0);
      blockWrite += Number(/wbytes=(\d+)/.exec(line)?.[1] ?? 0);
    }
    const limit = max?.trim();
    return {
      cpuNanos: statField(cpuStat, 'usage_usec') * 1000,
      memoryUsage: current,
      inactiveFile: statField(memStat, 'inactive_file'),
      memoryLimit: !limit || limit === 'max' ? null : Number(limit),
      blockRead,
      blockWrite,
      pids,
      throttledPeriods: statField(cpuStat, 'nr_throttled'),
      throttledNanos: statField(cpuStat, 'throttled_usec') * 1000,
      periods: statField(cpuStat, 'nr_periods'),
      swapUsage: numberFrom(read(join(dir, 'memory.swap.current'))),
    };
  }
  const at = (controller: string, file: string) => join(root, controller, path, file);
  const cpuNanos = numberFrom(read(at('cpuacct', 'cpuacct.usage')));
  const usage = numberFrom(read(at('memory', 'memory.usage_in_bytes')));
  const memStat = read(at('memory', 'memory.stat'));
  const limit = numberFrom(read(at('memory', 'memory.limit_in_bytes')));
  const io = read(at('blkio', 'blkio.throttle.io_service_bytes'));
  const pids = numberFrom(read(at('pids', 'pids.current')));
  const cpuStat = read(at('cpu', 'cpu.stat'));
  let blockRead = 0;
  let blockWrite = 0;
  for (const line of (io ?? '').split('\n')) {
    const [, op, value] = line.split(' ');
    if (op === 'Read') blockRead += Number(value);
    if (op === 'Write') blockWrite += Number(value);
  }
  return {
    cpuNanos,
    memoryUsage: usage,
    inactiveFile: statField(memStat, 'total_inactive_file'),
    memoryLimit: limit === 0 || limit >= UNLIMITED_V1 ? null : limit,
    blockRead,
    blockWrite,
    pids,
    throttledPeriods: statField(cpuStat, 'nr_throttled'),
    throttledNanos: statField(cpuStat, 'throttled_time'),
    periods: statField(cpuStat, 'nr_periods'),
    // memory.stat's swap lines exist only with swap accounting on (memsw − usage says the same,
    // but costs another read per tick); hierarchical first, as total_inactive_file above.
    swapUsage: statField(memStat, 'total_swap') || statField(memStat, 'swap'),
  };
}

/** Bytes received and sent on every interface but lo, from `/proc/<pid>/net/dev` (the container's netns). */
export function readNetworkCounters(pid: number, read: FileReader = readWhole): { rx: number; tx: number } {
  const text = read(`/proc/${pid}/net/dev`);
  let rx = 0;
  let tx = 0;
  for (const line of (text ?? '').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name?.trim() === 'lo') continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    rx += fields[0] ?? 0;
    tx += fields[8] ?? 0;
  }
  return { rx, tx };
}

/** Total CPU time of the host from /proc/stat, nanoseconds (USER_HZ is 100 on Linux). */
export function readSystemCpuNanos(read: FileReader = readWhole): number {
  const text = read('/proc/stat') ?? '';
  const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 8).map(Number);
  return fields.reduce((sum, value) => sum + value, 0) * (1e9 / 100);
}

export interface Sample {
  counters: CgroupCounters;
  systemCpuNanos: number;
}

/** Docker's arithmetic: CPU % = Δcontainer / Δsystem × online CPUs × 100; memory = usage − inactive_file. */
export function cpuPercent(previous: Sample | null, current: Sample, onlineCpus: number): number {
  if (!previous) return 0;
  const cpuDelta = current.counters.cpuNanos - previous.counters.cpuNanos;
  const systemDelta = current.systemCpuNanos - previous.systemCpuNanos;
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * onlineCpus * 100;
}

export function memoryUsed(counters: CgroupCounters): number {
  return Math.max(
    0,
    counters.inactiveFile < counters.memoryUsage
      ? counters.memoryUsage - counters.inactiveFile
      : counters.memoryUsage,
  );
}
