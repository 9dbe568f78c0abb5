import { z } from 'zod';
import { MIN_MEMORY_BYTES } from '../containers/resources.js';
import type { UsageHistory, UsageSeriesName } from '../containers/usage-history.js';
import { countOf } from '../format/count-of.js';
import { bytesSize } from '../format/human-size.js';
import { windowThrottledShare } from './throttled-share.js';

/**
 * Limits proposed from what a container actually used: memory from the high percentiles of its
 * working set (page cache already excluded by the agent) plus headroom and never below the peak,
 * CPU from the 95th percentile plus headroom. OOM kills and CPU throttling mean the measured usage
 * was capped by the current limit, so the proposal then raises that limit instead of trusting it.
 * Swap in use means the same for memory: what the container held was its working set plus the
 * swap, so memory is sized on their sum.
 */

export const RecommendationWarningCodeSchema = z.enum([
  'below-peak',
  'near-limit',
  'throttled',
  'oom-kills',
  'restarts',
  'memory-growth',
  'unlimited-busy-host',
  'little-data',
]);
export type RecommendationWarningCode = z.infer<typeof RecommendationWarningCodeSchema>;

export const RecommendationSchema = z.object({
  /** Seconds of history the proposal reads, and how many points (buckets) it had. */
  windowSeconds: z.number(),
  points: z.number().int().nonnegative(),
  /** The limits to apply (HostConfig units); null when there is too little data to propose one. */
  proposal: z.object({
    Memory: z.number().int().positive().nullable(),
    NanoCpus: z.number().int().positive().nullable(),
  }),
  memory: z.object({
    /** 99th percentile of the buckets' 95th percentiles of working set + swap, bytes. */
    high: z.number().nullable(),
    /** The largest working set + swap, bytes. */
    peak: z.number().nullable(),
    /** The most swap in use in the window, bytes (0: none; null: not recorded). */
    swapPeak: z.number().nullable(),
    /** Least-squares growth of the working set over the window, bytes per hour. */
    growthPerHour: z.number().nullable(),
    current: z.number().nullable(),
  }),
  cpu: z.object({
    /** Percent of one CPU (100 = one full CPU). */
    p95: z.number().nullable(),
    peak: z.number().nullable(),
    /** Share of CFS periods in which the container was throttled, 0…1. */
    throttledShare: z.number(),
    /** The current limit in CPUs; null when there is none. */
    current: z.number().nullable(),
  }),
  oomKills: z.number().int().nonnegative(),
  restarts: z.number().int().nonnegative(),
  reasons: z.array(z.string()),
  warnings: z.array(z.object({ code: RecommendationWarningCodeSchema, message: z.string() })),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;

export interface RecommendPolicy {
  /** Memory above its high percentile, as a share (0.2 = +20 %). */
  memoryHeadroom: number;
  /** Memory above its peak, at least. */
  peakMargin: number;
  /** CPU above its p95. */
  cpuHeadroom: number;
  /** A container throttled in more than this share of its CFS periods gets a warning and more CPU. */
  throttledShareWarn: number;
  /** Raise a limit that was hit (OOM kill, throttling) by this factor. */
  raiseFactor: number;
  /** Fewer points than this: the proposal stands but is flagged as based on little data. */
  minPoints: number;
  /** A host whose memory or CPU is used above this share is busy. */
  busyHostShare: number;
}

export const DEFAULT_RECOMMEND_POLICY: RecommendPolicy = {
  memoryHeadroom: 0.2,
  peakMargin: 0.1,
  cpuHeadroom: 0.3,
  throttledShareWarn: 0.05,
  raiseFactor: 1.5,
  minPoints: 30,
  busyHostShare: 0.8,
};

export interface RecommendInput {
  /** The container's usage history; minute buckets with their p95 and max columns give the best answer. */
  history: UsageHistory;
  /** OOM kills and restarts of the container in the same window (from its events). */
  oomKills: number;
  restarts: number;
  /** The limits the container has now, HostConfig units (0 = none). */
  current: { Memory: number; NanoCpus: number; CpuQuota: number; CpuPeriod: number };
  capacity: { cpus: number; memoryBytes: number };
  /** How loaded the host is (0…1 of its memory and CPUs), when known. */
  hostLoad?: { memory: number; cpu: number } | undefined;
  policy?: Partial<RecommendPolicy> | undefined;
}

const MIB = 1024 ** 2;
/** CPUs in hundredths: a 1 ms quota per 100 ms period, the finest a CFS quota takes. */
const CPU_STEP = 0.01;
const DEFAULT_CFS_PERIOD_US = 100_000;

/** The `q` quantile (0…1) of the numbers, by linear interpolation; null when there are none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

/** One column of a series, without the gaps; `stat` falls back to avg where the history has no such column. */
function column(history: UsageHistory, series: UsageSeriesName, stat: 'avg' | 'max' | 'p95'): number[] {
  const columns = history.series[series];
  const values = (stat === 'avg' ? columns.avg : (columns[stat] ?? columns.avg)) ?? [];
  return values.filter((v): v is number => v !== null && Number.isFinite(v));
}

/** One column of a series aligned with the timestamps (gaps as null); null when the history has no such series. */
function aligned(
  history: UsageHistory,
  series: UsageSeriesName,
  stat: 'avg' | 'max' | 'p95',
): (number | null)[] | null {
  const columns = history.series[series] as UsageHistory['series'][UsageSeriesName] | undefined;
  if (!columns) return null;
  return (stat === 'avg' ? columns.avg : (columns[stat] ?? columns.avg)) ?? null;
}

/** Memory the container held per bucket: working set plus swap in use (swap counts 0 where not recorded). */
function memoryHeld(history: UsageHistory, stat: 'avg' | 'max' | 'p95'): (number | null)[] {
  const workingSet = aligned(history, 'memoryWorkingSet', stat) ?? [];
  const swap = aligned(history, 'memorySwap', stat);
  return workingSet.map((value, i) => {
    if (value === null || !Number.isFinite(value)) return null;
    const swapped = swap?.[i];
    return value + (swapped !== null && swapped !== undefined && Number.isFinite(swapped) ? swapped : 0);
  });
}

const present = (values: readonly (number | null)[]) =>
  values.filter((v): v is number => v !== null && Number.isFinite(v));

/** Slope of y over x by least squares (units of y per unit of x), with R²; null below 3 points. */
function trend(xs: readonly number[], ys: readonly (number | null)[]): { slope: number; r2: number } | null {
  const points = xs.flatMap((x, i) => {
    const y = ys[i];
    return y === null || y === undefined ? [] : [[x, y] as const];
  });
  if (points.length < 3) return null;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return { slope: 0, r2: 0 };
  return { slope: sxy / sxx, r2: (sxy * sxy) / (sxx * syy) };
}

const cpusText = (cpus: number) => `${Number(cpus.toFixed(2))} CPU${cpus === 1 ? '' : 's'}`;
const percentText = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;

/** The current CPU limit in CPUs, from --cpus or a CFS quota; null when there is none. */
export function currentCpus(current: RecommendInput['current']): number | null {
  if (current.NanoCpus > 0) return current.NanoCpus / 1e9;
  if (current.CpuQuota > 0) return current.CpuQuota / (current.CpuPeriod || DEFAULT_CFS_PERIOD_US);
  return null;
}

/** Proposes memory and CPU limits for one container from its measured usage, with the reasons and warnings. */
export function recommendLimits(input: RecommendInput): Recommendation {
  const policy = { ...DEFAULT_RECOMMEND_POLICY, ...input.policy };
  const { history, capacity } = input;
  const reasons: string[] = [];
  const warnings: Recommendation['warnings'] = [];
  const points = history.timestamps.length;
  const windowSeconds = points === 0 ? 0 : history.until - history.since;
  const memoryNow = input.current.Memory > 0 ? input.current.Memory : null;
  const cpusNow = currentCpus(input.current);

  // Memory: the high percentile of what was held (working set + swap) plus headroom, never below
  // the peak plus a margin.
  const memoryP95s = present(memoryHeld(history, 'p95'));
  const memoryHigh = quantile(memoryP95s, 0.99);
  const memoryPeakValues = present(memoryHeld(history, 'max'));
  const memoryPeak = memoryPeakValues.length > 0 ? Math.max(...memoryPeakValues) : null;
  const swapColumn = aligned(history, 'memorySwap', 'max');
  const swapValues = swapColumn ? present(swapColumn) : [];
  const swapPeak = swapColumn === null ? null : swapValues.length > 0 ? Math.max(...swapValues) : 0;
  const growth = trend(
    history.timestamps.map((t) => t / 3600),
    memoryHeld(history, 'avg'),
  );
  let memory: number | null = null;
  if (memoryHigh !== null && memoryPeak !== null) {
    const fromHigh = memoryHigh * (1 + policy.memoryHeadroom);
    const fromPeak = memoryPeak * (1 + policy.peakMargin);
    memory = Math.max(fromHigh, fromPeak, MIN_MEMORY_BYTES);
    reasons.push(
      fromHigh >= fromPeak
        ? `Memory: the working set's 99th percentile is ${bytesSize(memoryHigh)}; ${Math.round(policy.memoryHeadroom * 100)} % headroom gives ${bytesSize(fromHigh)}.`
        : `Memory: the working set peaked at ${bytesSize(memoryPeak)}; the limit stays ${Math.round(policy.peakMargin * 100)} % above that peak.`,
    );
    if (swapPeak !== null && swapPeak > 0) {
      reasons.push(
        `Memory: up to ${bytesSize(swapPeak)} of swap was in use in this window — memory pressure, so the figures above are working set plus swap: the proposal covers what the container held, not only what fit in RAM.`,
      );
    }
    if (input.oomKills > 0 && memoryNow !== null && memory < memoryNow * policy.raiseFactor) {
      memory = memoryNow * policy.raiseFactor;
      reasons.push(
        `Memory: the container was OOM-killed at its limit of ${bytesSize(memoryNow)}, so what it needs is unknown; the limit is raised ${policy.raiseFactor}×.`,
      );
    }
    if (capacity.memoryBytes > 0 && memory > capacity.memoryBytes) {
      memory = capacity.memoryBytes;
      reasons.push(`Memory: capped at the host's ${bytesSize(capacity.memoryBytes)}.`);
    }
    memory = Math.ceil(memory / MIB) * MIB;
  }

  // CPU: p95 plus headroom, or the 99th percentile when bursts sit above it; raised when throttled.
  const cpuP95s = column(history, 'cpuPercent', 'p95');
  const cpuP95 = quantile(cpuP95s, 0.95);
  const cpuP99 = quantile(cpuP95s, 0.99);
  const cpuPeakValues = column(history, 'cpuPercent', 'max');
  const cpuPeak = cpuPeakValues.length > 0 ? Math.max(...cpuPeakValues) : null;
  // The real share (nr_throttled / nr_periods) where periods were recorded; the configured period elsewhere.
  const periodsPerSecond = 1e6 / (input.current.CpuPeriod || DEFAULT_CFS_PERIOD_US);
  const throttledShare = windowThrottledShare(
    aligned(history, 'cpuThrottledPeriods', 'avg') ?? [],
    aligned(history, 'cpuPeriods', 'avg') ?? undefined,
    periodsPerSecond,
  );
  let cpus: number | null = null;
  if (cpuP95 !== null && cpuP99 !== null) {
    const fromP95 = (cpuP95 / 100) * (1 + policy.cpuHeadroom);
    const fromP99 = (cpuP99 / 100) * (1 + policy.peakMargin);
    cpus = Math.max(fromP95, fromP99, CPU_STEP);
    reasons.push(
      fromP95 >= fromP99
        ? `CPU: the 95th percentile is ${cpusText(cpuP95 / 100)}; ${Math.round(policy.cpuHeadroom * 100)} % headroom gives ${cpusText(fromP95)}.`
        : `CPU: bursts reach ${cpusText(cpuP99 / 100)} (99th percentile), above the 95th percentile's ${cpusText(cpuP95 / 100)}; the limit covers them.`,
    );
    if (
      throttledShare > policy.throttledShareWarn &&
      cpusNow !== null &&
      cpus < cpusNow * policy.raiseFactor
    ) {
      cpus = cpusNow * policy.raiseFactor;
      reasons.push(
        `CPU: the container was throttled in ${percentText(throttledShare)} of its periods at ${cpusText(cpusNow)}, so it wants more than it got; the limit is raised ${policy.raiseFactor}×.`,
      );
    }
    if (cpus > capacity.cpus) {
      cpus = capacity.cpus;
      reasons.push(`CPU: capped at the host's ${cpusText(capacity.cpus)}.`);
    }
    cpus = Math.ceil(cpus / CPU_STEP - 1e-9) * CPU_STEP;
  }

  if (points === 0) {
    warnings.push({
      code: 'little-data',
      message: 'No usage recorded in this window: start the container and come back later.',
    });
  } else if (points < policy.minPoints) {
    warnings.push({
      code: 'little-data',
      message: `Only ${countOf(points, 'point')} of usage in this window: the proposal may miss what the container does at other times.`,
    });
  }
  if (memoryNow !== null && memoryPeak !== null) {
    if (memoryNow < memoryPeak) {
      warnings.push({
        code: 'below-peak',
        message: `The memory limit (${bytesSize(memoryNow)}) is below the recent peak of ${bytesSize(memoryPeak)}.`,
      });
    } else if (memoryPeak >= memoryNow * 0.9) {
      warnings.push({
        code: 'near-limit',
        message: `The working set reached ${Math.round((memoryPeak / memoryNow) * 100)} % of the memory limit (${bytesSize(memoryNow)}).`,
      });
    }
  }
  if (cpusNow !== null && cpuP95 !== null && cpusNow * 100 < cpuP95 * 0.999) {
    warnings.push({
      code: 'below-peak',
      message: `The CPU limit (${cpusText(cpusNow)}) is below the recent 95th percentile of ${cpusText(cpuP95 / 100)}.`,
    });
  }
  if (throttledShare > policy.throttledShareWarn) {
    warnings.push({
      code: 'throttled',
      message: `Throttled in ${percentText(throttledShare)} of its CPU periods (more than ${percentText(policy.throttledShareWarn)}).`,
    });
  }
  if (input.oomKills > 0) {
    warnings.push({
      code: 'oom-kills',
      message: `${countOf(input.oomKills, 'OOM kill')} in this window.`,
    });
  }
  if (input.restarts > 0) {
    warnings.push({
      code: 'restarts',
      message: `${countOf(input.restarts, 'restart')} in this window.`,
    });
  }
  if (growth && growth.slope > 0 && growth.r2 >= 0.8 && memoryPeak !== null && points >= 10) {
    const grown = growth.slope * (windowSeconds / 3600);
    if (grown > 0.2 * memoryPeak) {
      const reachHours = memory !== null ? (memory - memoryPeak) / growth.slope : null;
      warnings.push({
        code: 'memory-growth',
        message: `The working set grows steadily (${bytesSize(growth.slope)} per hour) — a leak?${
          reachHours !== null
            ? ` At this rate it reaches the proposed limit in about ${Math.max(0, reachHours).toFixed(1)} h.`
            : ''
        }`,
      });
    }
  }
  const ownShareOfHost = Math.max(
    memoryPeak !== null && capacity.memoryBytes > 0 ? memoryPeak / capacity.memoryBytes : 0,
    cpuP95 !== null ? cpuP95 / 100 / capacity.cpus : 0,
  );
  const hostBusy =
    (input.hostLoad !== undefined &&
      Math.max(input.hostLoad.memory, input.hostLoad.cpu) >= policy.busyHostShare) ||
    ownShareOfHost >= 0.5;
  if ((memoryNow === null || cpusNow === null) && hostBusy) {
    const missing = [memoryNow === null ? 'memory' : null, cpusNow === null ? 'CPU' : null]
      .filter(Boolean)
      .join(' or ');
    warnings.push({
      code: 'unlimited-busy-host',
      message: `No ${missing} limit on a busy host: this container can take what the others need.`,
    });
  }

  return {
    windowSeconds,
    points,
    proposal: {
      Memory: memory,
      NanoCpus: cpus === null ? null : Math.round(cpus * 1e9),
    },
    memory: {
      high: memoryHigh,
      peak: memoryPeak,
      swapPeak,
      growthPerHour: growth ? growth.slope : null,
      current: memoryNow,
    },
    cpu: { p95: cpuP95, peak: cpuPeak, throttledShare, current: cpusNow },
    oomKills: input.oomKills,
    restarts: input.restarts,
    reasons,
    warnings,
  };
}
