import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countIncidents, recommendationChart } from './recommend-input.js';
import { syntheticWorkload, toMinuteHistory } from './synthetic-usage.js';

const at = (seconds: number) => new Date(seconds * 1000).toISOString();

test('OOM kills and restarts are counted in the window only, a start after a die being a restart', () => {
  const events = [
    { action: 'start', at: at(100) },
    { action: 'oom', at: at(200) },
    { action: 'die', at: at(200) },
    { action: 'start', at: at(201) },
    { action: 'die', at: at(300) },
    { action: 'oom', at: at(50) },
    { action: 'restart', at: at(301) },
    { action: 'start', at: at(301) },
    { action: 'die', at: at(400) },
  ].reverse();
  assert.deepEqual(countIncidents(events, 150_000), { oomKills: 1, restarts: 2 });
  assert.deepEqual(countIncidents(events, 0), { oomKills: 2, restarts: 2 });
  // The first start in the window is no restart; a die without a start yet is none either.
  assert.deepEqual(countIncidents(events, 250_000), { oomKills: 0, restarts: 1 });
  assert.deepEqual(countIncidents([{ action: 'start', at: 'not a time' }], 0), { oomKills: 0, restarts: 0 });
});

test('the chart takes the p95 and max columns, or avg where the history has none', () => {
  const history = toMinuteHistory(syntheticWorkload('bursty', 0.1));
  const chart = recommendationChart(history);
  assert.equal(chart.timestamps.length, 6);
  assert.deepEqual(chart.memoryP95, history.series.memoryWorkingSet.p95);
  assert.deepEqual(chart.cpuMax, history.series.cpuPercent.max);
  const raw = { ...history, series: { ...history.series, cpuPercent: { avg: [1, 2, 3, 4, 5, 6] } } };
  assert.deepEqual(recommendationChart(raw).cpuP95, [1, 2, 3, 4, 5, 6]);
});
