import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { crc32 } from 'node:zlib';
import pino from 'pino';
import type { CgroupCounters } from './cgroup-counters.js';
import { queryUsage } from './usage-query.js';
import {
  SECONDS_FILE,
  USAGE_BYTES_PER_CONTAINER,
  type UsageReading,
  UsageRecorder,
} from './usage-recorder.js';
import {
  encodeMinute,
  LEGACY_SERIES_COUNT,
  minuteRecordBytes,
  SECOND_RECORD_BYTES,
  SERIES_COUNT,
  secondRecordBytes,
  summarise,
} from './usage-records.js';
import { RING_HEADER_BYTES } from './usage-ring.js';

const root = mkdtempSync(join(tmpdir(), 'usage-history-'));
after(() => rmSync(root, { recursive: true, force: true }));
const log = pino({ level: 'silent' });
const T0 = 1_700_000_000; // ends in :20, so minutes roll over mid-run

/** A container burning half a CPU of 2, reading 1000 B/s from disk, 256 MiB limit. */
function reading(id: string, second: number): UsageReading {
  const counters: CgroupCounters = {
    cpuNanos: second * 0.5e9,
    memoryUsage: 100 * 2 ** 20,
    inactiveFile: 20 * 2 ** 20,
    memoryLimit: 256 * 2 ** 20,
    blockRead: second * 1000,
    blockWrite: 0,
    pids: 3,
    throttledPeriods: second * 2,
    throttledNanos: second * 5e6,
    periods: second * 10,
    swapUsage: 4 * 2 ** 20,
  };
  return { id, counters, network: { rx: second * 10, tx: second * 20 }, systemCpuNanos: second * 2e9 };
}

function run(recorder: UsageRecorder, ids: string[], from: number, to: number) {
  for (let t = from; t <= to; t++)
    recorder.record(
      t * 1000,
      ids.map((id) => reading(id, t)),
    );
}

test('records 1 s samples with rates, working set and throttling; minutes summarise them', async () => {
  const dir = join(root, 'basic');
  const recorder = new UsageRecorder(dir, 2, log);
  recorder.init([]);
  run(recorder, ['a'], T0, T0 + 150);
  const now = T0 + 150;
  const raw = await queryUsage(dir, 'a', { range: '5m', maxPoints: 1500 }, now);
  assert.equal(raw.step, 1);
  assert.equal(raw.timestamps.length, 150, 'the first reading only sets the baseline');
  assert.equal(raw.timestamps[0], T0 + 1);
  assert.deepEqual(new Set(raw.series.cpuPercent.avg), new Set([50]));
  assert.deepEqual(new Set(raw.series.memoryWorkingSet.avg), new Set([80 * 2 ** 20]));
  assert.deepEqual(new Set(raw.series.memoryLimit.avg), new Set([256 * 2 ** 20]));
  assert.deepEqual(new Set(raw.series.blockRead.avg), new Set([1000]));
  assert.deepEqual(new Set(raw.series.networkTx.avg), new Set([20]));
  assert.deepEqual(new Set(raw.series.cpuThrottledPeriods.avg), new Set([2]));
  assert.deepEqual(new Set(raw.series.cpuThrottledMs.avg), new Set([5]));
  assert.deepEqual(new Set(raw.series.pids.avg), new Set([3]));
  assert.deepEqual(new Set(raw.series.memorySwap.avg), new Set([4 * 2 ** 20]));
  assert.deepEqual(new Set(raw.series.cpuPeriods.avg), new Set([10]), 'nr_periods per second');
  assert.equal(raw.series.cpuPercent.p95, undefined, 'raw samples carry one value');

  const day = await queryUsage(dir, 'a', { range: '24h', maxPoints: 1500 }, now);
  assert.equal(day.step, 60);
  // T0+1 … T0+150 touch the minutes starting at T0-20, T0+40, T0+100 (the last one still open).
  assert.deepEqual(day.timestamps, [T0 - 20, T0 + 40, T0 + 100]);
  assert.deepEqual(day.series.cpuPercent.p95, [50, 50, 50]);
  assert.deepEqual(day.series.blockRead.max, [1000, 1000, 1000]);
  assert.deepEqual(
    day.series.memorySwap.max,
    [4 * 2 ** 20, 4 * 2 ** 20, 4 * 2 ** 20],
    'a minute keeps its swap max',
  );
  assert.deepEqual(day.series.cpuPeriods.avg, [10, 10, 10], 'and its periods mean');
  recorder.close();
});

test('a query merges buckets to stay within maxPoints', async () => {
  const dir = join(root, 'merge');
  const recorder = new UsageRecorder(dir, 2, log);
  recorder.init([]);
  run(recorder, ['a'], T0, T0 + 100);
  const merged = await queryUsage(dir, 'a', { range: '5m', maxPoints: 30 }, T0 + 100);
  assert.equal(merged.step, 10);
  assert.ok(merged.timestamps.every((time) => time % 10 === 0));
  assert.equal(merged.series.cpuPercent.p95?.length, merged.timestamps.length);
  const maxOnly = await queryUsage(dir, 'a', { range: '5m', maxPoints: 30, stats: ['max'] }, T0 + 100);
  assert.deepEqual(Object.keys(maxOnly.series.pids).sort(), ['avg', 'max']);
  recorder.close();
});

test('history survives a restart and a torn record; minutes missed while down are summarised', async () => {
  const dir = join(root, 'restart');
  const first = new UsageRecorder(dir, 2, log);
  first.init([]);
  run(first, ['a'], T0, T0 + 30);
  // Killed: no close, no flush. A torn write leaves garbage in the slot of T0+10.
  const fd = openSync(join(dir, 'a', SECONDS_FILE), 'r+');
  writeSync(
    fd,
    Buffer.from([1, 2, 3, 4, 5]),
    0,
    5,
    RING_HEADER_BYTES + ((T0 + 10) % 3600) * SECOND_RECORD_BYTES + 6,
  );
  const second = new UsageRecorder(dir, 2, log);
  second.init(['a']);
  run(second, ['a'], T0 + 200, T0 + 230);
  const raw = await queryUsage(dir, 'a', { range: '5m', maxPoints: 1500 }, T0 + 230);
  assert.equal(raw.timestamps.length, 29 + 30, 'all but the torn second, and the baseline after restart');
  assert.ok(!raw.timestamps.includes(T0 + 10));
  const day = await queryUsage(dir, 'a', { range: '24h', maxPoints: 1500 }, T0 + 230);
  assert.deepEqual(
    day.timestamps,
    [T0 - 20, T0 + 160, T0 + 220],
    'the minute before the restart was summarised',
  );
  assert.equal(day.series.cpuPercent.max?.[0], 50);
  second.close();
});

test('a stopped container keeps its history; removal and init delete it; disk stays within the bound', async () => {
  const dir = join(root, 'lifecycle');
  const recorder = new UsageRecorder(dir, 2, log);
  recorder.init([]);
  run(recorder, ['a', 'b'], T0, T0 + 20);
  run(recorder, ['b'], T0 + 21, T0 + 25); // a stopped
  // Two hours later, a's seconds are out of range but its minute was summarised when it stopped.
  const later = await queryUsage(dir, 'a', { range: '24h', maxPoints: 1500 }, T0 + 7200);
  assert.deepEqual(later.timestamps, [T0 - 20]);
  assert.equal(later.series.cpuPercent.avg[0], 50);
  const size = statSync(join(dir, 'a', SECONDS_FILE)).size;
  assert.ok(size <= USAGE_BYTES_PER_CONTAINER);
  await recorder.remove('a');
  assert.equal(existsSync(join(dir, 'a')), false);
  assert.deepEqual((await queryUsage(dir, 'a', { range: '1h', maxPoints: 1500 }, T0 + 30)).timestamps, []);
  mkdirSync(join(dir, 'gone'));
  recorder.init(['b']);
  assert.equal(existsSync(join(dir, 'gone')), false);
  assert.equal(existsSync(join(dir, 'b')), true);
  recorder.close();
});

test('a write failure is logged, not thrown, and recording resumes when the disk is back', () => {
  const dir = join(root, 'failing');
  const warnings: unknown[] = [];
  const recorder = new UsageRecorder(
    dir,
    2,
    pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) }),
  );
  recorder.init([]);
  rmSync(dir, { recursive: true });
  // A file where the root should be: every mkdir under it fails (ENOTDIR), as ENOSPC would.
  openSync(dir, 'w');
  run(recorder, ['a'], T0, T0 + 5);
  assert.equal(warnings.length, 1, 'one warning per failure episode, not one per tick');
  rmSync(dir);
  recorder.init([]);
  run(recorder, ['a'], T0 + 6, T0 + 8);
  assert.ok(existsSync(join(dir, 'a', SECONDS_FILE)));
  recorder.close();
});

test('paused (a data-root copy), the partial minute is written at once and nothing after until resumed', async () => {
  const dir = join(root, 'paused');
  const recorder = new UsageRecorder(dir, 2, log);
  recorder.init([]);
  run(recorder, ['a'], T0, T0 + 30);
  const resume = recorder.pause();
  const minutes = await queryUsage(dir, 'a', { since: T0 - 60, until: T0 + 120, maxPoints: 10 }, T0 + 4000);
  assert.equal(minutes.step, 60);
  assert.ok(minutes.timestamps.length > 0, 'the partial minute is summarised when paused');
  const files = () =>
    ['seconds.ring', 'minutes.ring'].map((name) => statSync(join(dir, 'a', name)).mtimeMs).join();
  const before = files();
  await new Promise((resolve) => setTimeout(resolve, 20));
  run(recorder, ['a', 'b'], T0 + 31, T0 + 40);
  assert.equal(files(), before, 'no write while paused');
  assert.equal(existsSync(join(dir, 'b')), false);
  resume();
  run(recorder, ['b'], T0 + 41, T0 + 45);
  assert.equal(existsSync(join(dir, 'b')), true, 'recording goes on once resumed');
});

/** A ring file as the first layout (10 series a record) wrote it: header, then `records` by slot. */
function legacyRing(path: string, recordBytes: number, slots: number, records: Map<number, Buffer>) {
  const file = Buffer.alloc(64 + recordBytes * slots);
  file.write('SVUSAGE1', 0, 'ascii');
  file.writeUInt32LE(recordBytes, 8);
  file.writeUInt32LE(slots, 12);
  for (const [slot, record] of records) record.copy(file, 64 + slot * recordBytes);
  writeFileSync(path, file);
}

test('rings written in the first layout (10 series) still load, before and after the recorder upgrades them', async () => {
  const dir = join(root, 'legacy');
  mkdirSync(join(dir, 'a'), { recursive: true });
  const secondBytes = secondRecordBytes(LEGACY_SERIES_COUNT);
  const seconds = new Map<number, Buffer>();
  for (let t = T0 - 60; t < T0; t++) {
    const record = Buffer.alloc(secondBytes);
    record.writeUInt32LE(t, 0);
    for (let i = 0; i < LEGACY_SERIES_COUNT; i++) record.writeFloatLE(i === 0 ? 25 : i, 4 + i * 4);
    record.writeUInt32LE(crc32(record.subarray(0, secondBytes - 4)), secondBytes - 4);
    seconds.set(t % 3600, record);
  }
  legacyRing(join(dir, 'a', SECONDS_FILE), secondBytes, 3600, seconds);
  // A minute record of the first layout is the current one's first 10 series, cut and re-sealed.
  const bucket = summarise(T0 - 3 * 3600 - 20, [Float64Array.from({ length: SERIES_COUNT }, () => 7)]);
  assert.ok(bucket);
  const full = Buffer.alloc(minuteRecordBytes(SERIES_COUNT));
  encodeMinute(bucket, full);
  const minuteBytes = minuteRecordBytes(LEGACY_SERIES_COUNT);
  const legacyMinute = Buffer.alloc(minuteBytes);
  full.copy(legacyMinute, 0, 0, minuteBytes - 4);
  legacyMinute.writeUInt32LE(crc32(legacyMinute.subarray(0, minuteBytes - 4)), minuteBytes - 4);
  legacyRing(
    join(dir, 'a', 'minutes.ring'),
    minuteBytes,
    7 * 24 * 60,
    new Map([[(bucket.time / 60) % (7 * 24 * 60), legacyMinute]]),
  );

  // Read as they are (a stopped container's history: the recorder never opens it).
  const old = await queryUsage(dir, 'a', { range: '5m', maxPoints: 1500 }, T0);
  assert.equal(old.timestamps.length, 60);
  assert.deepEqual(new Set(old.series.cpuPercent.avg), new Set([25]));
  assert.deepEqual(new Set(old.series.pids.avg), new Set([9]));
  assert.deepEqual(new Set(old.series.memorySwap.avg), new Set([0]), 'not recorded then: 0');
  const oldWeek = await queryUsage(dir, 'a', { range: '7d', maxPoints: 20_000 }, T0);
  assert.ok(oldWeek.timestamps.includes(bucket.time), 'the legacy minute reads');

  // Running again: the recorder rewrites both rings in the current layout and appends to them.
  const recorder = new UsageRecorder(dir, 2, log);
  recorder.init(['a']);
  run(recorder, ['a'], T0, T0 + 30);
  recorder.close();
  const header = readFileSync(join(dir, 'a', SECONDS_FILE)).subarray(0, 16);
  assert.equal(header.readUInt32LE(8), SECOND_RECORD_BYTES, 'upgraded to the current record size');
  const both = await queryUsage(dir, 'a', { since: T0 - 60, until: T0 + 30, maxPoints: 1500 }, T0 + 30);
  assert.equal(both.timestamps.length, 60 + 30);
  assert.equal(both.series.cpuPercent.avg[0], 25, 'the old seconds kept');
  assert.equal(both.series.memorySwap.avg.at(-1), 4 * 2 ** 20, 'the new seconds carry swap');
  const week = await queryUsage(dir, 'a', { range: '7d', maxPoints: 20_000 }, T0 + 30);
  const at = week.timestamps.indexOf(bucket.time);
  assert.ok(at >= 0, 'the legacy minute survived the upgrade');
  assert.equal(week.series.pids.avg[at], 7);
  assert.equal(week.series.cpuPeriods.avg[at], 0);
});
