import assert from 'node:assert/strict';
import { test } from 'node:test';
import { USAGE_SERIES, type UsageHistory } from '@stevedore/shared';
import { chartData, latest, memoryLimit } from './usage-series';

function history(timestamps: number[], step: number, cpu: number[], limit = 0): UsageHistory {
  const series = Object.fromEntries(
    USAGE_SERIES.map((name) => [name, { avg: timestamps.map(() => 0) }]),
  ) as UsageHistory['series'];
  series.cpuPercent = { avg: cpu, max: cpu.map((value) => value * 2) };
  series.memoryLimit = { avg: timestamps.map(() => limit) };
  return { containerId: 'c', since: 0, until: 100, step, timestamps, series };
}

test('a gap breaks the line with a null point: over 5 s between samples, over 1.5 steps between buckets', () => {
  const data = chartData(history([10, 11, 13, 20, 21], 1, [1, 2, 3, 4, 5]), [{ series: 'cpuPercent' }]);
  assert.deepEqual(data, [
    [10, 11, 13, 14, 20, 21],
    [1, 2, 3, null, 4, 5],
  ]);
  const buckets = chartData(history([0, 60, 180], 60, [1, 2, 3]), [{ series: 'cpuPercent' }]);
  assert.deepEqual(buckets, [
    [0, 60, 120, 180],
    [1, 2, null, 3],
  ]);
});

test('lines pick their statistic, falling back to the average for raw samples', () => {
  const data = chartData(history([0, 60], 60, [1, 2]), [
    { series: 'cpuPercent' },
    { series: 'cpuPercent', stat: 'max' },
    { series: 'cpuPercent', stat: 'p95' },
  ]);
  assert.deepEqual(data, [
    [0, 60],
    [1, 2],
    [2, 4],
    [1, 2],
  ]);
});

test('latest value and the memory limit (none when 0)', () => {
  assert.equal(latest(history([1, 2], 1, [5, 7]), 'cpuPercent'), 7);
  assert.equal(latest(history([], 1, []), 'cpuPercent'), null);
  assert.equal(memoryLimit(history([1], 1, [0])), null);
  assert.equal(memoryLimit(history([1], 1, [0], 1024)), 1024);
});
