import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantile, type RecommendInput, recommendLimits } from './recommend.js';
import { replay, syntheticWorkload, toMinuteHistory, truePeaks } from './synthetic-usage.js';

const MIB = 1024 ** 2;
const NO_LIMITS = { Memory: 0, NanoCpus: 0, CpuQuota: 0, CpuPeriod: 0 };
const HOST = { cpus: 4, memoryBytes: 8 * 1024 * MIB };

function input(overrides: Partial<RecommendInput> & Pick<RecommendInput, 'history'>): RecommendInput {
  return { oomKills: 0, restarts: 0, current: NO_LIMITS, capacity: HOST, ...overrides };
}

const codes = (r: ReturnType<typeof recommendLimits>) => r.warnings.map((w) => w.code);

test('quantile interpolates between the sorted values', () => {
  assert.equal(quantile([], 0.5), null);
  assert.equal(quantile([5], 0.95), 5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(quantile([10, 0], 0.25), 2.5);
});

test('a steady workload gets its working set plus headroom and its CPU p95 plus headroom', () => {
  const samples = syntheticWorkload('steady', 3);
  const result = recommendLimits(input({ history: toMinuteHistory(samples) }));
  const peaks = truePeaks(samples);
  const memory = result.proposal.Memory as number;
  const nano = result.proposal.NanoCpus as number;
  // 120 MiB ± 2 with 20 % headroom: 145 MiB, rounded up to whole MiB.
  assert.ok(memory >= 140 * MIB && memory <= 150 * MIB, `memory ${memory / MIB} MiB`);
  assert.equal(memory % MIB, 0);
  // CPU 20 % ± 3 → p95 ≈ 23 % → ×1.3 ≈ 0.3 CPUs, in steps of 0.01.
  assert.ok(nano >= 0.28e9 && nano <= 0.32e9, `cpus ${nano / 1e9}`);
  assert.equal(Math.round(nano / 0.01e9) * 0.01e9, nano);
  const outcome = replay(samples, { memory, cpus: nano / 1e9 });
  assert.equal(outcome.killedAtSecond, null);
  assert.equal(outcome.throttledSeconds, 0);
  assert.ok(memory <= peaks.memory * 1.5);
  assert.deepEqual(codes(result), []);
  assert.equal(result.reasons.length, 2);
  assert.match(result.reasons[0] ?? '', /99th percentile/);
});

test('a bursty workload is sized for its bursts, not its average', () => {
  const samples = syntheticWorkload('bursty', 3);
  const result = recommendLimits(input({ history: toMinuteHistory(samples) }));
  const peaks = truePeaks(samples);
  const cpus = (result.proposal.NanoCpus as number) / 1e9;
  assert.ok(cpus * 100 >= peaks.cpu, `cpus ${cpus} below the burst peak ${peaks.cpu} %`);
  assert.ok(cpus * 100 <= peaks.cpu * 1.5);
  assert.ok((result.proposal.Memory as number) >= peaks.memory);
  const outcome = replay(samples, { memory: result.proposal.Memory, cpus });
  assert.equal(outcome.killedAtSecond, null);
  assert.equal(outcome.throttledSeconds, 0);
});

test('a leaking workload is covered to its peak and flagged as growing', () => {
  const samples = syntheticWorkload('leaking', 6);
  const result = recommendLimits(input({ history: toMinuteHistory(samples) }));
  const peaks = truePeaks(samples);
  const memory = result.proposal.Memory as number;
  assert.ok(memory >= peaks.memory && memory <= peaks.memory * 1.5);
  assert.deepEqual(codes(result), ['memory-growth']);
  assert.match(result.warnings[0]?.message ?? '', /grows steadily \(40(\.\d+)?MiB per hour\)/);
  assert.ok(
    (result.memory.growthPerHour as number) > 39 * MIB && (result.memory.growthPerHour as number) < 41 * MIB,
  );
});

test('a CPU-bound workload throttled at its limit gets the limit raised, with the reason', () => {
  const samples = syntheticWorkload('cpu-bound', 2);
  const history = toMinuteHistory(samples, { cpuLimit: 100 });
  const result = recommendLimits(
    input({ history, current: { ...NO_LIMITS, NanoCpus: 1e9 }, capacity: { ...HOST, cpus: 8 } }),
  );
  assert.equal(result.cpu.current, 1);
  assert.ok(result.cpu.throttledShare > 0.9, `share ${result.cpu.throttledShare}`);
  assert.ok(codes(result).includes('throttled'));
  // Measured usage sits at the limit (1 CPU); ×1.3 headroom would give 1.3 — throttling raises it to 1.5.
  assert.equal(result.proposal.NanoCpus, 1.5e9);
  assert.ok(result.reasons.some((r) => /throttled in .* raised 1.5×/.test(r)));
});

test('a CPU-bound workload without a limit gets its demand plus headroom, capped at the host', () => {
  const samples = syntheticWorkload('cpu-bound', 2);
  const free = recommendLimits(input({ history: toMinuteHistory(samples), capacity: { ...HOST, cpus: 3 } }));
  assert.ok((free.proposal.NanoCpus as number) >= 2e9 && (free.proposal.NanoCpus as number) <= 3e9);
  // The container uses two thirds of a 3-CPU host without a limit: a busy host.
  assert.ok(codes(free).includes('unlimited-busy-host'));
  const small = recommendLimits(input({ history: toMinuteHistory(samples), capacity: { ...HOST, cpus: 2 } }));
  assert.equal(small.proposal.NanoCpus, 2e9);
  assert.ok(small.reasons.some((r) => /capped at the host's 2 CPUs/.test(r)));
});

test('OOM kills raise a memory limit the container reached, and are warned about', () => {
  const samples = syntheticWorkload('leaking', 2);
  const limit = 100 * MIB;
  const history = toMinuteHistory(samples, { memoryLimit: limit });
  const result = recommendLimits(
    input({ history, oomKills: 2, restarts: 2, current: { ...NO_LIMITS, Memory: limit } }),
  );
  assert.equal(result.proposal.Memory, 150 * MIB);
  assert.ok(codes(result).includes('oom-kills'));
  assert.ok(codes(result).includes('restarts'));
  assert.ok(codes(result).includes('near-limit'));
  assert.match(
    result.warnings.find((w) => w.code === 'oom-kills')?.message ?? '',
    /^2 OOM kills in this window/,
  );
});

test('a limit below the recent peak is flagged', () => {
  const samples = syntheticWorkload('steady', 1);
  const result = recommendLimits(
    input({
      history: toMinuteHistory(samples),
      current: { ...NO_LIMITS, Memory: 64 * MIB, NanoCpus: 0.1e9 },
    }),
  );
  const below = result.warnings.filter((w) => w.code === 'below-peak').map((w) => w.message);
  assert.equal(below.length, 2);
  assert.match(below[0] ?? '', /memory limit \(64MiB\) is below the recent peak/);
  assert.match(below[1] ?? '', /CPU limit \(0.1 CPUs\) is below/);
});

test('no limit on a busy host is flagged; a quiet host is not', () => {
  const history = toMinuteHistory(syntheticWorkload('steady', 1));
  const busy = recommendLimits(input({ history, hostLoad: { memory: 0.9, cpu: 0.2 } }));
  assert.ok(codes(busy).includes('unlimited-busy-host'));
  assert.match(busy.warnings.at(-1)?.message ?? '', /No memory or CPU limit on a busy host/);
  const quiet = recommendLimits(input({ history, hostLoad: { memory: 0.3, cpu: 0.2 } }));
  assert.ok(!codes(quiet).includes('unlimited-busy-host'));
  const limited = recommendLimits(
    input({
      history,
      hostLoad: { memory: 0.9, cpu: 0.9 },
      current: { ...NO_LIMITS, Memory: 1024 * MIB, CpuQuota: 50_000, CpuPeriod: 100_000 },
    }),
  );
  assert.equal(limited.cpu.current, 0.5);
  assert.ok(!codes(limited).includes('unlimited-busy-host'));
});

test('too little data: no proposal without points, a warning with few', () => {
  const empty = toMinuteHistory([]);
  const none = recommendLimits(input({ history: empty }));
  assert.deepEqual(none.proposal, { Memory: null, NanoCpus: null });
  assert.deepEqual(codes(none), ['little-data']);
  const few = recommendLimits(input({ history: toMinuteHistory(syntheticWorkload('steady', 0.25)) }));
  assert.ok(few.proposal.Memory !== null);
  assert.match(few.warnings[0]?.message ?? '', /Only 15 points/);
});

test('raw 1 s samples (no p95 column) still give a proposal from the averages', () => {
  const history = toMinuteHistory(syntheticWorkload('steady', 1));
  const raw = {
    ...history,
    series: Object.fromEntries(Object.entries(history.series).map(([k, v]) => [k, { avg: v.avg }])),
  } as typeof history;
  const result = recommendLimits(input({ history: raw }));
  assert.ok((result.proposal.Memory as number) >= 120 * MIB);
});

test('swap in use means memory pressure: the proposal covers working set plus swap, and says so', () => {
  const samples = syntheticWorkload('bursty', 3);
  const limit = 128 * MIB; // the 180 MiB bursts do not fit: 52 MiB of them go to swap
  const peaks = truePeaks(samples);
  const withSwap = recommendLimits(
    input({
      history: toMinuteHistory(samples, { memoryLimit: limit, swap: true }),
      current: { ...NO_LIMITS, Memory: limit },
    }),
  );
  const memory = withSwap.proposal.Memory as number;
  assert.ok(memory >= peaks.memory, `${memory / MIB} MiB below the true peak ${peaks.memory / MIB} MiB`);
  assert.ok(memory <= peaks.memory * 1.5);
  assert.ok((withSwap.memory.swapPeak as number) > 50 * MIB);
  assert.ok(withSwap.reasons.some((r) => /of swap was in use in this window — memory pressure/.test(r)));
  assert.ok(codes(withSwap).includes('below-peak'), 'the limit is below what the container held');
  assert.equal(replay(samples, { memory, cpus: null }).killedAtSecond, null);
  // The same capped working set without swap recorded: only what fit in RAM is seen.
  const blind = recommendLimits(
    input({
      history: toMinuteHistory(samples, { memoryLimit: limit }),
      current: { ...NO_LIMITS, Memory: limit },
    }),
  );
  assert.ok((blind.proposal.Memory as number) < peaks.memory);
  assert.equal(blind.memory.swapPeak, 0);
  assert.ok(!blind.reasons.some((r) => /swap/.test(r)));
});

test('the throttled share is nr_throttled / nr_periods where periods were recorded, not a 100 ms guess', () => {
  const samples = syntheticWorkload('bursty', 2); // over 0.5 CPU only in its 15 s bursts: 5 % of the time
  const current = { ...NO_LIMITS, NanoCpus: 0.5e9 };
  // A 10 ms period: 100 periods a second, all throttled in a burst second.
  const history = toMinuteHistory(samples, { cpuLimit: 50, cpuPeriodUs: 10_000 });
  const result = recommendLimits(input({ history, current }));
  assert.ok(Math.abs(result.cpu.throttledShare - 0.05) < 0.005, `share ${result.cpu.throttledShare}`);
  // Without recorded periods, 100 throttled periods a second read against the assumed 10: ten times too high.
  const unrecorded = {
    ...history,
    series: { ...history.series, cpuPeriods: { avg: history.series.cpuPeriods.avg.map(() => 0) } },
  };
  const guessed = recommendLimits(input({ history: unrecorded, current })).cpu.throttledShare;
  assert.ok(Math.abs(guessed - 0.5) < 0.05, `guessed share ${guessed}`);
});
