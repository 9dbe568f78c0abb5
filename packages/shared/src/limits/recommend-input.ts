import { z } from 'zod';
import { ContainerRefSchema } from '../containers/names.js';
import type { UsageHistory } from '../containers/usage-history.js';
import { RecommendationSchema } from './recommend.js';

/** The dashboard's `containers.limits.recommend`: one container, over a window of its history. */
export const RecommendLimitsInputSchema = z.object({
  hostId: z.string().min(1).max(64),
  container: ContainerRefSchema,
  range: z.enum(['1h', '24h', '7d']).default('24h'),
});
export type RecommendLimitsInput = z.input<typeof RecommendLimitsInputSchema>;

const column = z.array(z.number().nullable());

/** The series behind a recommendation, for its chart: per bucket, unix seconds. */
export const RecommendationChartSchema = z.object({
  timestamps: z.array(z.number()),
  memoryP95: column,
  memoryMax: column,
  /** Percent of one CPU. */
  cpuP95: column,
  cpuMax: column,
});
export type RecommendationChart = z.infer<typeof RecommendationChartSchema>;

export const LimitsRecommendationSchema = z.object({
  range: z.enum(['1h', '24h', '7d']),
  recommendation: RecommendationSchema,
  chart: RecommendationChartSchema,
});
export type LimitsRecommendation = z.infer<typeof LimitsRecommendationSchema>;

/** The chart's columns of a history: p95 and max of the working set and of CPU (avg where a column is missing). */
export function recommendationChart(history: UsageHistory): RecommendationChart {
  const pick = (series: 'memoryWorkingSet' | 'cpuPercent', stat: 'p95' | 'max') =>
    history.series[series][stat] ?? history.series[series].avg;
  return {
    timestamps: history.timestamps,
    memoryP95: pick('memoryWorkingSet', 'p95'),
    memoryMax: pick('memoryWorkingSet', 'max'),
    cpuP95: pick('cpuPercent', 'p95'),
    cpuMax: pick('cpuPercent', 'max'),
  };
}

/**
 * OOM kills and restarts among a container's events since `sinceMs`: an `oom` event per kill, and a
 * restart for each `start` that follows a `die` (by its restart policy or by hand; a `restart`
 * event, where an engine sends one, comes with that die and start and is not counted again).
 * Events may come in any order.
 */
export function countIncidents(
  events: readonly { action: string; at: string }[],
  sinceMs: number,
): { oomKills: number; restarts: number } {
  const inWindow = events
    .map((event) => ({ action: event.action, time: Date.parse(event.at) }))
    .filter((event) => Number.isFinite(event.time) && event.time >= sinceMs)
    .sort((a, b) => a.time - b.time);
  let oomKills = 0;
  let restarts = 0;
  let died = false;
  for (const event of inWindow) {
    if (event.action === 'oom') oomKills++;
    else if (event.action === 'die') died = true;
    else if (event.action === 'start' && died) {
      restarts++;
      died = false;
    }
  }
  return { oomKills, restarts };
}
