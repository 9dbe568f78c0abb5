import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

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
}

const UNLIMITED_V1 = 2 ** 62; // v1 reports "no limit" as a huge page-rounded number

const readText = (path: string) => readFile(path, 'utf8').catch(() => null);
const readNumber = async (path: string) => {
  const text = await readText(path);
  return text === null ? 0 : Number(text.trim()) || 0;
};

function statField(text: string | null, key: string): number {
  if (!text) return 0;
  const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * Reads a container's counters from the cgroup files, v1 (one tree per controller) or v2 (one
 * unified tree). `root` is the cgroup mount (normally /sys/fs/cgroup), `path` the container's
 * cgroupsPath.
 */
export async function readCgroupCounters(
  version: '1' | '2',
  root: string,
  path: string,
): Promise<CgroupCounters> {
  if (version === '2') {
    const dir = join(root, path);
    const [cpuStat, current, memStat, max, io, pids] = await Promise.all([
      readText(join(dir, 'cpu.stat')),
      readNumber(join(dir, 'memory.current')),
      readText(join(dir, 'memory.stat')),
      readText(join(dir, 'memory.max')),
      readText(join(dir, 'io.stat')),
      readNumber(join(dir, 'pids.current')),
    ]);
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
    };
  }
  const at = (controller: string, file: string) => join(root, controller, path, file);
  const [cpuNanos, usage, memStat, limit, io, pids] = await Promise.all([
    readNumber(at('cpuacct', 'cpuacct.usage')),
    readNumber(at('memory', 'memory.usage_in_bytes')),
    readText(at('memory', 'memory.stat')),
    readNumber(at('memory', 'memory.limit_in_bytes')),
    readText(at('blkio', 'blkio.throttle.io_service_bytes')),
    readNumber(at('pids', 'pids.current')),
  ]);
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
  };
}

/** Bytes received and sent on every interface but lo, from `/proc/<pid>/net/dev` (the container's netns). */
export async function readNetworkCounters(pid: number): Promise<{ rx: number; tx: number }> {
  const text = await readText(`/proc/${pid}/net/dev`);
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
export async function readSystemCpuNanos(): Promise<number> {
  const text = (await readText('/proc/stat')) ?? '';
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
