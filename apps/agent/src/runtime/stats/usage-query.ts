import { join } from 'node:path';
import {
  USAGE_MINUTES_KEPT,
  USAGE_RANGES,
  USAGE_SECONDS_KEPT,
  USAGE_SERIES,
  type UsageHistory,
  type UsageRange,
  type UsageSeriesColumns,
} from '@stevedore/shared';
import { MINUTES_FILE, SECONDS_FILE } from './usage-recorder.js';
import {
  decodeMinute,
  decodeSecond,
  MINUTE_RECORD_BYTES,
  mergeBuckets,
  SECOND_RECORD_BYTES,
  sampleBucket,
  summarise,
  type UsageBucket,
  upgradeMinutes,
  upgradeSeconds,
} from './usage-records.js';
import { readRing } from './usage-ring.js';

export interface UsageWindow {
  range?: UsageRange | undefined;
  since?: number | undefined;
  until?: number | undefined;
  maxPoints: number;
  /** The columns besides avg to send for merged points; all when absent. */
  stats?: readonly ('min' | 'max' | 'p95')[] | undefined;
}

/** The time span a query asks for, clamped to what the history can hold. */
export function resolveWindow(window: UsageWindow, now: number): { since: number; until: number } {
  const until = Math.min(window.until ?? now, now);
  const since =
    window.since ?? (window.range ? until - USAGE_RANGES[window.range] + 1 : until - USAGE_RANGES['1h'] + 1);
  const oldest = now - USAGE_MINUTES_KEPT * 60;
  return { since: Math.max(since, oldest), until: Math.max(until, Math.max(since, oldest)) };
}

/**
 * A container's history over a window, columnar: 1 s samples when the window lies within the
 * last hour, minute buckets otherwise (minutes of the last hour not summarised yet, such as the
 * current one, are summarised from the seconds on the fly), merged into wider buckets to stay
 * within `maxPoints`.
 */
export async function queryUsage(
  root: string,
  containerId: string,
  window: UsageWindow,
  now = Math.floor(Date.now() / 1000),
): Promise<UsageHistory> {
  const { since, until } = resolveWindow(window, now);
  const dir = join(root, containerId);
  const secondsRing = await readRing(
    join(dir, SECONDS_FILE),
    SECOND_RECORD_BYTES,
    USAGE_SECONDS_KEPT,
    upgradeSeconds,
  );
  const fromSeconds = since > now - USAGE_SECONDS_KEPT;
  let buckets: UsageBucket[];
  let base: number;
  if (fromSeconds) {
    base = 1;
    buckets = secondsBetween(secondsRing, since, until);
  } else {
    base = 60;
    const minutesRing = await readRing(
      join(dir, MINUTES_FILE),
      MINUTE_RECORD_BYTES,
      USAGE_MINUTES_KEPT,
      upgradeMinutes,
    );
    buckets = minutesBetween(minutesRing, secondsRing, since, until, now);
  }
  const span = until - since + 1;
  const step = base * Math.max(1, Math.ceil(span / base / window.maxPoints));
  const points = step === base ? buckets : regroup(buckets, step);
  return columns(containerId, since, until, step, points, window.stats ?? ['min', 'max', 'p95']);
}

function secondsBetween(ring: Buffer | null, since: number, until: number): UsageBucket[] {
  if (!ring) return [];
  const buckets: UsageBucket[] = [];
  for (let time = since; time <= until; time++) {
    const values = decodeSecond(ring, (time % USAGE_SECONDS_KEPT) * SECOND_RECORD_BYTES, time);
    if (values) buckets.push(sampleBucket(time, values));
  }
  return buckets;
}

function minutesBetween(
  minutes: Buffer | null,
  seconds: Buffer | null,
  since: number,
  until: number,
  now: number,
): UsageBucket[] {
  const buckets: UsageBucket[] = [];
  for (let start = Math.floor(since / 60) * 60; start <= until; start += 60) {
    const slot = ((start / 60) % USAGE_MINUTES_KEPT) * MINUTE_RECORD_BYTES;
    let bucket = minutes ? decodeMinute(minutes, slot, start) : null;
    if (!bucket && seconds && start > now - USAGE_SECONDS_KEPT) {
      bucket = summarise(
        start,
        secondsBetween(seconds, start, start + 59).map((b) => b.avg),
      );
    }
    if (bucket) buckets.push(bucket);
  }
  return buckets;
}

function regroup(buckets: readonly UsageBucket[], step: number): UsageBucket[] {
  const merged: UsageBucket[] = [];
  let group: UsageBucket[] = [];
  let groupStart = -1;
  const flush = () => {
    const bucket = mergeBuckets(groupStart, group);
    if (bucket) merged.push(bucket);
    group = [];
  };
  for (const bucket of buckets) {
    const start = Math.floor(bucket.time / step) * step;
    if (start !== groupStart) {
      flush();
      groupStart = start;
    }
    group.push(bucket);
  }
  flush();
  return merged;
}

/** float32 on disk: three decimals are all the precision there is to show. */
const round = (value: number) => Math.round(value * 1000) / 1000;

function columns(
  containerId: string,
  since: number,
  until: number,
  step: number,
  points: readonly UsageBucket[],
  extra: readonly ('min' | 'max' | 'p95')[],
): UsageHistory {
  const series = {} as Record<(typeof USAGE_SERIES)[number], UsageSeriesColumns>;
  USAGE_SERIES.forEach((name, index) => {
    const pick = (stat: 'min' | 'avg' | 'max' | 'p95') =>
      points.map((point) => round(point[stat][index] ?? 0));
    const column: UsageSeriesColumns = { avg: pick('avg') };
    if (step > 1) for (const stat of extra) column[stat] = pick(stat);
    series[name] = column;
  });
  return { containerId, since, until, step, timestamps: points.map((point) => point.time), series };
}
