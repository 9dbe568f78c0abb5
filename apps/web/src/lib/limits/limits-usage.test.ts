import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UsageHistory } from '@stevedore/shared';
import { cpusOf, formatCpuSet, usageSummary } from './limits-usage';

test('cpusets are written in their shortest form and read back', () => {
  assert.equal(formatCpuSet([]), '');
  assert.equal(formatCpuSet([3, 0, 1, 2, 5]), '0-3,5');
  assert.equal(formatCpuSet([0, 1]), '0,1');
  assert.equal(formatCpuSet([0, 2, 4, 4]), '0,2,4');
  assert.deepEqual(cpusOf('0-2,7'), [0, 1, 2, 7]);
  assert.deepEqual(cpusOf(''), []);
  assert.equal(cpusOf('0-'), null);
});

const history = (avg: number[], max?: number[]): UsageHistory => {
  const column = { avg, ...(max ? { max } : {}) };
  const empty = { avg: [] };
  return {
    containerId: 'c',
    since: 0,
    until: 60,
    step: 60,
    timestamps: avg.map((_, i) => i * 60),
    series: {
      cpuPercent: column,
      cpuThrottledPeriods: empty,
      cpuThrottledMs: empty,
      memoryWorkingSet: column,
      memoryLimit: empty,
      networkRx: empty,
      networkTx: empty,
      blockRead: empty,
      blockWrite: empty,
      pids: empty,
      memorySwap: empty,
      cpuPeriods: empty,
    },
  };
};

test('now is the newest point of the hour, peaks the largest max of each window', () => {
  const summary = usageSummary(history([1, 5, 3], [2, 9, 4]), history([1, 2], [20, 3]));
  assert.deepEqual(summary.memory, { now: 3, peak1h: 9, peak24h: 20 });
  assert.deepEqual(summary.pids, { now: null, peak1h: null, peak24h: null });
  assert.deepEqual(usageSummary(undefined, undefined).cpu, { now: null, peak1h: null, peak24h: null });
  assert.equal(usageSummary(history([4, 6]), undefined).cpu.peak1h, 6);
});
