import { z } from 'zod';
import { ContainerRefSchema } from './names.js';

/**
 * A container's usage history as the agent records it: 1 s samples for the last hour, 1 min
 * buckets (min/avg/max/p95 of the seconds in them) for 7 days. Served columnar, ready for a chart.
 */

/**
 * The series every sample carries, in record order (the agent's ring files depend on it: append
 * only — a ring written with fewer series still reads, its missing series as 0).
 */
export const USAGE_SERIES = [
  'cpuPercent',
  /** CFS periods in which the container was throttled, per second (cpu.stat nr_throttled). */
  'cpuThrottledPeriods',
  /** Time the container was throttled, milliseconds per second (cpu.stat throttled time). */
  'cpuThrottledMs',
  /** Memory used without page cache: usage − inactive_file, bytes. */
  'memoryWorkingSet',
  /** The cgroup memory limit, bytes; 0 when the container has none. */
  'memoryLimit',
  'networkRx',
  'networkTx',
  'blockRead',
  'blockWrite',
  'pids',
  /** Swap used, bytes (v1: memory.stat total_swap, with swap accounting on; v2: memory.swap.current). */
  'memorySwap',
  /** CFS periods that elapsed, per second (cpu.stat nr_periods): the share throttled is cpuThrottledPeriods / cpuPeriods; 0 where not recorded. */
  'cpuPeriods',
] as const;
export type UsageSeriesName = (typeof USAGE_SERIES)[number];

/** Seconds kept at 1 s resolution, and minutes kept at 1 min resolution. */
export const USAGE_SECONDS_KEPT = 3600;
export const USAGE_MINUTES_KEPT = 7 * 24 * 60;

export const USAGE_RANGES = { '5m': 300, '1h': 3600, '24h': 86_400, '7d': 604_800 } as const;
export const UsageRangeSchema = z.enum(['5m', '1h', '24h', '7d']);
export type UsageRange = z.infer<typeof UsageRangeSchema>;

const epochSeconds = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);

const usageQueryFields = {
  container: ContainerRefSchema,
  /** A range ending now; or give since (and until) instead. */
  range: UsageRangeSchema.optional(),
  /** Unix seconds, inclusive. */
  since: epochSeconds.optional(),
  until: epochSeconds.optional(),
  /** The most points to return; buckets are merged to fit (default 1500). */
  maxPoints: z.number().int().min(10).max(20_000).default(1500),
  /** Which columns of merged points to send besides avg (default all); raw samples have avg only. */
  stats: z
    .array(z.enum(['min', 'max', 'p95']))
    .max(3)
    .default(['min', 'max', 'p95']),
};

type WindowFields = { range?: unknown; since?: number | undefined; until?: number | undefined };
const hasStart = (input: WindowFields) => input.range !== undefined || input.since !== undefined;
const ordered = (input: WindowFields) =>
  input.since === undefined || input.until === undefined || input.since <= input.until;

export const UsageHistoryInputSchema = z
  .object(usageQueryFields)
  .refine(hasStart, { message: 'give a range or since', path: ['range'] })
  .refine(ordered, { message: 'since must not be after until', path: ['since'] });
export type UsageHistoryInput = z.input<typeof UsageHistoryInputSchema>;
export type UsageHistoryQuery = z.output<typeof UsageHistoryInputSchema>;

/** The dashboard's query: the same, on one host of the fleet. */
export const HostUsageHistoryInputSchema = z
  .object({ hostId: z.string().min(1).max(64), ...usageQueryFields })
  .refine(hasStart, { message: 'give a range or since', path: ['range'] })
  .refine(ordered, { message: 'since must not be after until', path: ['since'] });
export type HostUsageHistoryInput = z.input<typeof HostUsageHistoryInputSchema>;

const column = z.array(z.number().nullable());

/** One series: `avg` always; min/max/p95 when a point stands for more than one sample. */
export const UsageSeriesColumnsSchema = z.object({
  avg: column,
  min: column.optional(),
  max: column.optional(),
  p95: column.optional(),
});
export type UsageSeriesColumns = z.infer<typeof UsageSeriesColumnsSchema>;

export const UsageHistorySchema = z.object({
  containerId: z.string(),
  since: z.number(),
  until: z.number(),
  /** Seconds each point stands for: 1 (raw samples), 60 (minute buckets) or a multiple of 60. */
  step: z.number().int().positive(),
  /** Start of each point, unix seconds, ascending; only points with data (gaps are absent). */
  timestamps: z.array(z.number()),
  series: z.record(z.enum(USAGE_SERIES), UsageSeriesColumnsSchema),
});
export type UsageHistory = z.infer<typeof UsageHistorySchema>;
