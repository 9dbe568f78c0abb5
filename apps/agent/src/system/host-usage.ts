import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { type HostUsage, HostUsageSchema } from '@stevedore/shared';

interface CpuTimes {
  busy: number;
  total: number;
}

/** Aggregate CPU jiffies from the first line of /proc/stat (user nice system idle iowait irq softirq steal). */
export function parseProcStat(text: string): CpuTimes {
  const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + (Number.isFinite(value) ? value : 0), 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** MemTotal and MemAvailable from /proc/meminfo, in bytes. */
export function parseMeminfo(text: string): { total: number; available: number } {
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { total: kib('MemTotal'), available: kib('MemAvailable') };
}

/**
 * Host-wide CPU, memory and data-root disk use. CPU% needs two samples: each call compares with
 * the previous one, and callers at most once a second share one sample.
 */
export class HostUsageSampler {
  private previous: CpuTimes | null = null;
  private last: { at: number; usage: Promise<HostUsage> } | null = null;

  constructor(
    private readonly dataRoot: string,
    private readonly minIntervalMs = 1_000,
  ) {}

  sample(): Promise<HostUsage> {
    const now = Date.now();
    if (this.last && now - this.last.at < this.minIntervalMs) return this.last.usage;
    const usage = this.read();
    this.last = { at: now, usage };
    usage.catch(() => {
      this.last = null;
    });
    return usage;
  }

  private async read(): Promise<HostUsage> {
    const [stat, meminfo, fs] = await Promise.all([
      readFile('/proc/stat', 'utf8'),
      readFile('/proc/meminfo', 'utf8'),
      statfs(this.dataRoot),
    ]);
    const cpu = parseProcStat(stat);
    const previous = this.previous ?? { busy: 0, total: 0 };
    this.previous = cpu;
    const deltaTotal = cpu.total - previous.total;
    const cpuPercent = deltaTotal > 0 ? Math.min(100, ((cpu.busy - previous.busy) / deltaTotal) * 100) : 0;
    const memory = parseMeminfo(meminfo);
    const [one = 0, five = 0, fifteen = 0] = os.loadavg();
    return HostUsageSchema.parse({
      cpuPercent: Math.max(0, cpuPercent),
      ncpu: os.cpus().length,
      loadAverage: [one, five, fifteen],
      memTotal: memory.total,
      memUsed: Math.max(0, memory.total - memory.available),
      diskTotal: fs.blocks * fs.bsize,
      diskUsed: (fs.blocks - fs.bfree) * fs.bsize,
      sampledAt: new Date().toISOString(),
    });
  }
}
