import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeMinute,
  decodeSecond,
  encodeMinute,
  encodeSecond,
  MINUTE_RECORD_BYTES,
  mergeBuckets,
  p95,
  SECOND_RECORD_BYTES,
  SERIES_COUNT,
  sampleBucket,
  summarise,
} from './usage-records.js';

const values = (first: number) => Float64Array.from({ length: SERIES_COUNT }, (_, i) => first + i);

test('p95 is the nearest-rank 95th percentile', () => {
  assert.equal(p95([]), 0);
  assert.equal(p95([7]), 7);
  assert.equal(p95(Array.from({ length: 100 }, (_, i) => 100 - i)), 95);
  assert.equal(p95(Array.from({ length: 60 }, (_, i) => i + 1)), 57);
});

test('a second record round-trips; another time, a flipped byte or an empty slot read as no data', () => {
  const buffer = Buffer.alloc(SECOND_RECORD_BYTES * 2);
  encodeSecond(1_700_000_000, values(1.5), buffer, SECOND_RECORD_BYTES);
  const decoded = decodeSecond(buffer, SECOND_RECORD_BYTES, 1_700_000_000);
  assert.deepEqual([...(decoded ?? [])], [...values(1.5)]);
  assert.equal(decodeSecond(buffer, SECOND_RECORD_BYTES, 1_700_000_001), null, 'an older lap of the ring');
  assert.equal(decodeSecond(buffer, 0), null, 'a slot never written');
  const torn = Buffer.from(buffer);
  torn[SECOND_RECORD_BYTES + 9] = (torn[SECOND_RECORD_BYTES + 9] as number) ^ 0xff;
  assert.equal(decodeSecond(torn, SECOND_RECORD_BYTES, 1_700_000_000), null, 'a torn record');
  assert.ok(decodeSecond(buffer, SECOND_RECORD_BYTES, 1_700_000_000), 'the intact copy still reads');
});

test('a minute record round-trips min/avg/max/p95 and its sample count', () => {
  const bucket = summarise(
    1_700_000_040,
    Array.from({ length: 60 }, (_, i) => values(i)),
  );
  assert.ok(bucket);
  const buffer = Buffer.alloc(MINUTE_RECORD_BYTES);
  encodeMinute(bucket, buffer);
  const decoded = decodeMinute(buffer, 0, 1_700_000_040);
  assert.ok(decoded);
  assert.equal(decoded.count, 60);
  assert.equal(decoded.min[0], 0);
  assert.equal(decoded.max[0], 59);
  assert.equal(decoded.avg[0], 29.5);
  assert.equal(decoded.p95[0], 56);
  assert.equal(decoded.p95[3], 59);
  buffer[20] = (buffer[20] as number) ^ 1;
  assert.equal(decodeMinute(buffer, 0, 1_700_000_040), null);
});

test('merging: single samples give an exact p95; summaries give weighted averages and the largest p95', () => {
  const raw = Array.from({ length: 20 }, (_, i) => sampleBucket(i, values(i)));
  const exact = mergeBuckets(0, raw);
  assert.equal(exact?.count, 20);
  assert.equal(exact?.p95[0], 18);
  assert.equal(exact?.avg[0], 9.5);
  const a = summarise(0, [values(0), values(10)]);
  const b = summarise(60, [values(4)]);
  assert.ok(a && b);
  const merged = mergeBuckets(0, [a, b]);
  assert.equal(merged?.count, 3);
  assert.equal(merged?.min[0], 0);
  assert.equal(merged?.max[0], 10);
  assert.ok(Math.abs((merged?.avg[0] ?? 0) - 14 / 3) < 1e-9);
  assert.equal(merged?.p95[0], 10);
  assert.equal(mergeBuckets(0, []), null);
});
