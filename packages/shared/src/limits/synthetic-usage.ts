import { USAGE_SERIES, type UsageHistory, type UsageSeriesName } from '../containers/usage-history.js';

/**
 * Synthetic container workloads with a known truth, for the recommendation's unit tests and its
 * quality benchmark: per-second demand, folded into minute buckets (min/avg/max/p95) the way the
 * agent's usage history stores them.
 */

export interface SecondSample {
  /** Percent of one CPU the workload wants. */
  cpuDemand: number;
  /** Working-set bytes the workload holds. */
  memory: number;
}

export type WorkloadName = 'steady' | 'bursty' | 'leaking' | 'cpu-bound';

const MIB = 1024 ** 2;

/** A small deterministic PRNG (mulberry32), so every run sees the same series. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `hours` of per-second demand of one named workload. */
export function syntheticWorkload(name: WorkloadName, hours: number, seed = 20): SecondSample[] {
  const next = random(seed);
  const jitter = (spread: number) => (next() * 2 - 1) * spread;
  const seconds = Math.round(hours * 3600);
  const samples: SecondSample[] = [];
  for (let s = 0; s < seconds; s++) {
    switch (name) {
      case 'steady':
        samples.push({ cpuDemand: 20 + jitter(3), memory: 120 * MIB + jitter(2 * MIB) });
        break;
      case 'bursty': {
        // 15 s bursts every 5 minutes: CPU ×15 and 100 MiB more memory while they last.
        const inBurst = s % 300 < 15;
        samples.push({
          cpuDemand: inBurst ? 150 + jitter(5) : 10 + jitter(2),
          memory: (inBurst ? 180 : 80) * MIB + jitter(MIB),
        });
        break;
      }
      case 'leaking':
        // 40 MiB more every hour, never given back.
        samples.push({ cpuDemand: 5 + jitter(1), memory: 50 * MIB + (s / 3600) * 40 * MIB + jitter(MIB) });
        break;
      case 'cpu-bound':
        // Two busy threads: as much of two CPUs as it can get.
        samples.push({ cpuDemand: Math.min(200, 196 + jitter(4)), memory: 30 * MIB + jitter(MIB / 2) });
        break;
    }
  }
  return samples;
}

/** The true peaks of a workload, for judging a proposal. */
export function truePeaks(samples: readonly SecondSample[]): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const sample of samples) {
    cpu = Math.max(cpu, sample.cpuDemand);
    memory = Math.max(memory, sample.memory);
  }
  return { cpu, memory };
}

function p95(sorted: readonly number[]): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] as number;
}

/**
 * Minute buckets of per-second samples as the agent keeps them. With `cpuLimit` (percent of one
 * CPU) the recorded CPU is capped at the limit, every period of a second counts in cpuPeriods
 * (`cpuPeriodUs`, 100 ms by default) and all of them as throttled in the seconds above it, as the
 * kernel would report them. With `memoryLimit` the working set is capped at it; with `swap` too,
 * what does not fit is recorded as swap in use (the kernel swaps instead of killing).
 */
export function toMinuteHistory(
  samples: readonly SecondSample[],
  options: {
    start?: number;
    cpuLimit?: number;
    cpuPeriodUs?: number;
    memoryLimit?: number;
    swap?: boolean;
  } = {},
): UsageHistory {
  const start = options.start ?? 1_700_000_000;
  const periodsPerSecond = 1e6 / (options.cpuPeriodUs ?? 100_000);
  const series = Object.fromEntries(
    USAGE_SERIES.map((name) => [
      name,
      { avg: [] as number[], min: [] as number[], max: [] as number[], p95: [] as number[] },
    ]),
  ) as Record<UsageSeriesName, { avg: number[]; min: number[]; max: number[]; p95: number[] }>;
  const timestamps: number[] = [];
  for (let offset = 0; offset < samples.length; offset += 60) {
    const minute = samples.slice(offset, offset + 60);
    const perSecond: Record<UsageSeriesName, number[]> = Object.fromEntries(
      USAGE_SERIES.map((name) => [name, [] as number[]]),
    ) as Record<UsageSeriesName, number[]>;
    for (const sample of minute) {
      const limit = options.cpuLimit;
      const throttled = limit !== undefined && sample.cpuDemand > limit;
      perSecond.cpuPercent.push(limit === undefined ? sample.cpuDemand : Math.min(limit, sample.cpuDemand));
      perSecond.cpuThrottledPeriods.push(throttled ? periodsPerSecond : 0);
      perSecond.cpuPeriods.push(limit === undefined ? 0 : periodsPerSecond);
      perSecond.cpuThrottledMs.push(throttled ? ((sample.cpuDemand - (limit ?? 0)) / 100) * 1000 : 0);
      perSecond.memoryWorkingSet.push(
        options.memoryLimit === undefined ? sample.memory : Math.min(options.memoryLimit, sample.memory),
      );
      perSecond.memoryLimit.push(options.memoryLimit ?? 0);
      perSecond.memorySwap.push(
        options.swap && options.memoryLimit !== undefined
          ? Math.max(0, sample.memory - options.memoryLimit)
          : 0,
      );
      for (const name of ['networkRx', 'networkTx', 'blockRead', 'blockWrite'] as const)
        perSecond[name].push(0);
      perSecond.pids.push(3);
    }
    timestamps.push(start + offset);
    for (const name of USAGE_SERIES) {
      const values = perSecond[name];
      const sorted = [...values].sort((a, b) => a - b);
      series[name].avg.push(values.reduce((s, v) => s + v, 0) / values.length);
      series[name].min.push(sorted[0] as number);
      series[name].max.push(sorted[sorted.length - 1] as number);
      series[name].p95.push(p95(sorted));
    }
  }
  return {
    containerId: 'synthetic',
    since: start,
    until: start + samples.length,
    step: 60,
    timestamps,
    series,
  };
}

/** Replays the demand against limits: killed when memory goes above its limit, throttled seconds for CPU. */
export function replay(
  samples: readonly SecondSample[],
  limits: { memory: number | null; cpus: number | null },
): { killedAtSecond: number | null; throttledSeconds: number; throttledShare: number } {
  let killedAtSecond: number | null = null;
  let throttledSeconds = 0;
  samples.forEach((sample, second) => {
    if (killedAtSecond === null && limits.memory !== null && sample.memory > limits.memory) {
      killedAtSecond = second;
    }
    if (limits.cpus !== null && sample.cpuDemand > limits.cpus * 100) throttledSeconds++;
  });
  return {
    killedAtSecond,
    throttledSeconds,
    throttledShare: samples.length === 0 ? 0 : throttledSeconds / samples.length,
  };
}
