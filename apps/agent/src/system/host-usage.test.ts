import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostUsageSampler, parseMeminfo, parseProcStat } from './host-usage.js';

test('CPU times: idle and iowait are idle, the rest busy', () => {
  const times = parseProcStat('cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n');
  assert.deepEqual(times, { busy: 170, total: 990 });
});

test('memory: total and available in bytes', () => {
  const text = 'MemTotal:       16000 kB\nMemFree:         1000 kB\nMemAvailable:    4000 kB\n';
  assert.deepEqual(parseMeminfo(text), { total: 16000 * 1024, available: 4000 * 1024 });
});

test('a real sample of this machine is within bounds, and samples within a second are shared', async () => {
  const sampler = new HostUsageSampler('/', 60_000);
  const first = await sampler.sample();
  assert.ok(first.cpuPercent >= 0 && first.cpuPercent <= 100);
  assert.ok(first.memUsed > 0 && first.memUsed < first.memTotal);
  assert.ok(first.diskUsed > 0 && first.diskUsed <= first.diskTotal);
  assert.equal(await sampler.sample(), first);
});
