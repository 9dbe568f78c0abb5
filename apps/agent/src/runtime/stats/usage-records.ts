import { crc32 } from 'node:zlib';
import { USAGE_SERIES } from '@stevedore/shared';

/**
 * Fixed-size records of the usage history. Each carries its own time and a CRC32, so a slot is
 * trusted only when both check out: a record torn by a crash, a slot never written and a slot
 * still holding an older lap of the ring all read as "no data" and never spoil their neighbours.
 *
 * Second record: u32 time, f32 × series, u32 crc.
 * Minute record: u32 time (start of the minute), u16 samples, u16 0, f32 × the first 10 series ×
 * (min, avg, max, p95), then one f32 per later series (its stat in LATER_MINUTE_STAT), u32 crc.
 * The later series (swap in use, CFS periods) change slowly: one figure a minute says what the
 * recommendations and alerts need, and keeps a container's history within a few % of its size.
 *
 * The record's length tells how many series it holds (the ring's header stores it): series are
 * only ever appended, so a record of an older layout decodes with the newer series as 0.
 */

export const SERIES_COUNT = USAGE_SERIES.length;
/** Series in the first layout (before memorySwap and cpuPeriods). */
export const LEGACY_SERIES_COUNT = 10;
export const secondRecordBytes = (series: number) => 4 + series * 4 + 4;
export const minuteRecordBytes = (series: number) =>
  4 + 4 + Math.min(series, LEGACY_SERIES_COUNT) * 16 + Math.max(0, series - LEGACY_SERIES_COUNT) * 4 + 4;
type Stat = 'min' | 'avg' | 'max' | 'p95';
const STATS: readonly Stat[] = ['min', 'avg', 'max', 'p95'];
/** The one stat a minute record keeps of each series after the first 10; it stands for all four when read. */
const LATER_MINUTE_STAT: readonly Stat[] = ['max', 'avg']; // memorySwap: its most; cpuPeriods: its mean
export const SECOND_RECORD_BYTES = secondRecordBytes(SERIES_COUNT);
export const MINUTE_RECORD_BYTES = minuteRecordBytes(SERIES_COUNT);
/** The series a second or minute record of `recordBytes` holds; null for a length no layout has. */
export function seriesInRecord(kind: 'second' | 'minute', recordBytes: number): number | null {
  const series =
    kind === 'second'
      ? (recordBytes - 8) / 4
      : LEGACY_SERIES_COUNT + (recordBytes - minuteRecordBytes(LEGACY_SERIES_COUNT)) / 4;
  return Number.isInteger(series) && series >= LEGACY_SERIES_COUNT && series <= SERIES_COUNT ? series : null;
}

/** One point of history: `count` samples summarised per series (all four equal when count is 1). */
export interface UsageBucket {
  time: number;
  count: number;
  min: Float64Array;
  avg: Float64Array;
  max: Float64Array;
  p95: Float64Array;
}

export function encodeSecond(time: number, values: ArrayLike<number>, into: Buffer, offset = 0): void {
  into.writeUInt32LE(time, offset);
  for (let i = 0; i < SERIES_COUNT; i++) into.writeFloatLE(finite(values[i]), offset + 4 + i * 4);
  const body = into.subarray(offset, offset + SECOND_RECORD_BYTES - 4);
  into.writeUInt32LE(crc32(body), offset + SECOND_RECORD_BYTES - 4);
}

/**
 * The values of a second record, or null when the slot holds no valid record for `expectedTime`.
 * `series`: how many the record holds (an older layout's); the rest read as 0.
 */
export function decodeSecond(
  buffer: Buffer,
  offset: number,
  expectedTime?: number,
  series: number = SERIES_COUNT,
): Float64Array | null {
  const bytes = secondRecordBytes(series);
  if (offset + bytes > buffer.length) return null;
  const time = buffer.readUInt32LE(offset);
  if (time === 0 || (expectedTime !== undefined && time !== expectedTime)) return null;
  const body = buffer.subarray(offset, offset + bytes - 4);
  if (crc32(body) !== buffer.readUInt32LE(offset + bytes - 4)) return null;
  const values = new Float64Array(SERIES_COUNT);
  for (let i = 0; i < series; i++) values[i] = buffer.readFloatLE(offset + 4 + i * 4);
  return values;
}

export function encodeMinute(bucket: UsageBucket, into: Buffer, offset = 0): void {
  into.writeUInt32LE(bucket.time, offset);
  into.writeUInt16LE(Math.min(bucket.count, 0xffff), offset + 4);
  into.writeUInt16LE(0, offset + 6);
  const stats = [bucket.min, bucket.avg, bucket.max, bucket.p95];
  for (let i = 0; i < LEGACY_SERIES_COUNT; i++) {
    for (let s = 0; s < 4; s++) into.writeFloatLE(finite(stats[s]?.[i]), offset + 8 + (i * 4 + s) * 4);
  }
  const later = offset + 8 + LEGACY_SERIES_COUNT * 16;
  for (let i = LEGACY_SERIES_COUNT; i < SERIES_COUNT; i++) {
    const stat = LATER_MINUTE_STAT[i - LEGACY_SERIES_COUNT] ?? 'avg';
    into.writeFloatLE(finite(bucket[stat][i]), later + (i - LEGACY_SERIES_COUNT) * 4);
  }
  const body = into.subarray(offset, offset + MINUTE_RECORD_BYTES - 4);
  into.writeUInt32LE(crc32(body), offset + MINUTE_RECORD_BYTES - 4);
}

export function decodeMinute(
  buffer: Buffer,
  offset: number,
  expectedTime?: number,
  series: number = SERIES_COUNT,
): UsageBucket | null {
  const bytes = minuteRecordBytes(series);
  if (offset + bytes > buffer.length) return null;
  const time = buffer.readUInt32LE(offset);
  if (time === 0 || (expectedTime !== undefined && time !== expectedTime)) return null;
  const body = buffer.subarray(offset, offset + bytes - 4);
  if (crc32(body) !== buffer.readUInt32LE(offset + bytes - 4)) return null;
  const count = buffer.readUInt16LE(offset + 4);
  if (count === 0) return null;
  const bucket = emptyBucket(time, count);
  const stats = [bucket.min, bucket.avg, bucket.max, bucket.p95];
  for (let i = 0; i < Math.min(series, LEGACY_SERIES_COUNT); i++) {
    for (let s = 0; s < 4; s++)
      (stats[s] as Float64Array)[i] = buffer.readFloatLE(offset + 8 + (i * 4 + s) * 4);
  }
  const later = offset + 8 + LEGACY_SERIES_COUNT * 16;
  for (let i = LEGACY_SERIES_COUNT; i < series; i++) {
    const value = buffer.readFloatLE(later + (i - LEGACY_SERIES_COUNT) * 4);
    for (const stat of STATS) bucket[stat][i] = value;
  }
  return bucket;
}

export function emptyBucket(time: number, count: number): UsageBucket {
  return {
    time,
    count,
    min: new Float64Array(SERIES_COUNT),
    avg: new Float64Array(SERIES_COUNT),
    max: new Float64Array(SERIES_COUNT),
    p95: new Float64Array(SERIES_COUNT),
  };
}

/** The nearest-rank 95th percentile of `values` (sorted in place). */
export function p95(values: number[]): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  return values[Math.max(0, Math.ceil(values.length * 0.95) - 1)] as number;
}

/** Summarises samples (one value array per second) into one bucket starting at `time`. */
export function summarise(time: number, samples: readonly ArrayLike<number>[]): UsageBucket | null {
  if (samples.length === 0) return null;
  const bucket = emptyBucket(time, samples.length);
  for (let i = 0; i < SERIES_COUNT; i++) {
    const column = samples.map((sample) => sample[i] ?? 0);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (const value of column) {
      if (value < min) min = value;
      if (value > max) max = value;
      sum += value;
    }
    bucket.min[i] = min;
    bucket.max[i] = max;
    bucket.avg[i] = sum / column.length;
    bucket.p95[i] = p95(column);
  }
  return bucket;
}

/**
 * Merges buckets into one starting at `time`: min of minima, max of maxima, averages weighted by
 * sample count. The p95 is exact when every part is a single sample; otherwise the largest p95 of
 * the parts, an upper bound (the parts' samples are gone) that errs on the side of more headroom.
 */
export function mergeBuckets(time: number, parts: readonly UsageBucket[]): UsageBucket | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return { ...(parts[0] as UsageBucket), time };
  if (parts.every((part) => part.count === 1)) {
    return summarise(
      time,
      parts.map((part) => part.avg),
    );
  }
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const bucket = emptyBucket(time, count);
  for (let i = 0; i < SERIES_COUNT; i++) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let weighted = 0;
    let upper = Number.NEGATIVE_INFINITY;
    for (const part of parts) {
      min = Math.min(min, part.min[i] as number);
      max = Math.max(max, part.max[i] as number);
      weighted += (part.avg[i] as number) * part.count;
      upper = Math.max(upper, part.p95[i] as number);
    }
    bucket.min[i] = min;
    bucket.max[i] = max;
    bucket.avg[i] = weighted / count;
    bucket.p95[i] = upper;
  }
  return bucket;
}

/** A bucket of one raw sample. */
export function sampleBucket(time: number, values: Float64Array): UsageBucket {
  return { time, count: 1, min: values, avg: values, max: values, p95: values };
}

function finite(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

/**
 * Second records of an older layout (`recordBytes` each, slot for slot) re-encoded in the current
 * one; slots without a valid record stay empty. Null when `recordBytes` is no known layout.
 */
export function upgradeSeconds(recordBytes: number, records: Buffer): Buffer | null {
  const series = seriesInRecord('second', recordBytes);
  if (series === null) return null;
  const slots = Math.floor(records.length / recordBytes);
  const out = Buffer.alloc(slots * SECOND_RECORD_BYTES);
  for (let slot = 0; slot < slots; slot++) {
    const offset = slot * recordBytes;
    const values = decodeSecond(records, offset, undefined, series);
    if (values) encodeSecond(records.readUInt32LE(offset), values, out, slot * SECOND_RECORD_BYTES);
  }
  return out;
}

/** Minute records of an older layout re-encoded in the current one (see upgradeSeconds). */
export function upgradeMinutes(recordBytes: number, records: Buffer): Buffer | null {
  const series = seriesInRecord('minute', recordBytes);
  if (series === null) return null;
  const slots = Math.floor(records.length / recordBytes);
  const out = Buffer.alloc(slots * MINUTE_RECORD_BYTES);
  for (let slot = 0; slot < slots; slot++) {
    const bucket = decodeMinute(records, slot * recordBytes, undefined, series);
    if (bucket) encodeMinute(bucket, out, slot * MINUTE_RECORD_BYTES);
  }
  return out;
}
