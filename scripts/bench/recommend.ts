/**
 * `npm run bench -- recommend`: the quality of the limits recommendation (measured and printed,
 * never asserted). Synthetic workloads with a known truth (steady, bursty, leaking memory,
 * CPU-bound; per-second demand folded into minute buckets as the agent stores them) go through
 * recommendLimits; the proposed limits are then replayed against the same per-second demand: a
 * workload is killed when its memory goes above the limit, throttled in the seconds its CPU demand
 * goes above it. Each proposal should leave the workload un-killed and un-throttled and stay within
 * 1.5× of the workload's true peak.
 */
import { recommendLimits } from '../../packages/shared/src/limits/recommend.ts';
import {
  replay,
  syntheticWorkload,
  toMinuteHistory,
  truePeaks,
  type WorkloadName,
} from '../../packages/shared/src/limits/synthetic-usage.ts';

type Table = (name: string, rows: [string, string][]) => void;

const WORKLOADS: { name: WorkloadName; hours: number }[] = [
  { name: 'steady', hours: 24 },
  { name: 'bursty', hours: 24 },
  { name: 'leaking', hours: 24 },
  { name: 'cpu-bound', hours: 24 },
];
const HOST = { cpus: 4, memoryBytes: 8 * 1024 ** 3 };
const MIB = 1024 ** 2;

export function benchRecommend(table: Table): void {
  const rows: [string, string][] = [];
  let failures = 0;
  for (const { name, hours } of WORKLOADS) {
    const samples = syntheticWorkload(name, hours);
    const peaks = truePeaks(samples);
    const input = {
      history: toMinuteHistory(samples),
      oomKills: 0,
      restarts: 0,
      current: { Memory: 0, NanoCpus: 0, CpuQuota: 0, CpuPeriod: 0 },
      capacity: HOST,
    };
    const result = recommendLimits(input);
    const times: number[] = [];
    for (let run = 0; run < 9; run++) {
      const started = performance.now();
      recommendLimits(input);
      times.push(performance.now() - started);
    }
    const elapsedMs = times.sort((a, b) => a - b)[4] as number;
    const memory = result.proposal.Memory;
    const cpus = result.proposal.NanoCpus === null ? null : result.proposal.NanoCpus / 1e9;
    const outcome = replay(samples, { memory, cpus });
    const memoryRatio = memory === null ? Number.NaN : memory / peaks.memory;
    const cpuRatio = cpus === null ? Number.NaN : (cpus * 100) / peaks.cpu;
    const ok =
      outcome.killedAtSecond === null &&
      outcome.throttledSeconds === 0 &&
      memoryRatio >= 1 &&
      memoryRatio <= 1.5 &&
      cpuRatio >= 1 &&
      cpuRatio <= 1.5;
    if (!ok) failures++;
    rows.push([
      `${name} (${hours} h, ${result.points} buckets)`,
      [
        `memory ${memory === null ? '—' : `${(memory / MIB).toFixed(0)} MiB`} (peak ${(peaks.memory / MIB).toFixed(0)} MiB, ×${memoryRatio.toFixed(2)})`,
        `CPU ${cpus ?? '—'} (peak ${(peaks.cpu / 100).toFixed(2)}, ×${cpuRatio.toFixed(2)})`,
        outcome.killedAtSecond === null ? 'not killed' : `KILLED at ${outcome.killedAtSecond} s`,
        `${outcome.throttledSeconds} throttled s`,
        `warnings: ${result.warnings.map((w) => w.code).join(', ') || 'none'}`,
        `${elapsedMs.toFixed(1)} ms a call (median of 9)`,
        ok ? 'OK' : 'MISSED',
      ].join('; '),
    ]);
  }
  rows.push(convergence('cpu-bound', 'cpu'), convergence('leaking', 'memory'));
  rows.push(['workloads within the target', `${WORKLOADS.length - failures} of ${WORKLOADS.length}`]);
  table('recommend: proposals replayed against synthetic workloads', rows);
}

/**
 * A workload that starts under too small a limit (1 CPU for the CPU-bound one, 256 MiB for the
 * leaking one): its recorded usage is capped by the limit, so the proposal can only raise it; each
 * round applies the proposal and records another day under it, until the replay is clean.
 */
function convergence(name: WorkloadName, resource: 'cpu' | 'memory'): [string, string] {
  const samples = syntheticWorkload(name, 24);
  const peaks = truePeaks(samples);
  let cpuLimit = resource === 'cpu' ? 100 : undefined;
  let memoryLimit = resource === 'memory' ? 256 * MIB : undefined;
  const steps: string[] = [];
  for (let round = 1; round <= 6; round++) {
    const outcome = replay(samples, {
      memory: memoryLimit ?? null,
      cpus: cpuLimit === undefined ? null : cpuLimit / 100,
    });
    const clean = outcome.killedAtSecond === null && outcome.throttledSeconds === 0;
    steps.push(
      resource === 'cpu'
        ? `${((cpuLimit ?? 0) / 100).toFixed(2)} CPUs (${(outcome.throttledShare * 100).toFixed(0)} % throttled)`
        : `${((memoryLimit ?? 0) / MIB).toFixed(0)} MiB (${outcome.killedAtSecond === null ? 'not killed' : 'OOM'})`,
    );
    if (clean) break;
    const history = toMinuteHistory(samples, {
      ...(cpuLimit !== undefined ? { cpuLimit } : {}),
      ...(memoryLimit !== undefined ? { memoryLimit } : {}),
    });
    const result = recommendLimits({
      history,
      oomKills: outcome.killedAtSecond === null ? 0 : 1,
      restarts: 0,
      current: {
        Memory: memoryLimit ?? 0,
        NanoCpus: cpuLimit === undefined ? 0 : cpuLimit * 1e7,
        CpuQuota: 0,
        CpuPeriod: 0,
      },
      capacity: HOST,
    });
    if (resource === 'cpu') cpuLimit = (result.proposal.NanoCpus ?? 0) / 1e7;
    else memoryLimit = result.proposal.Memory ?? undefined;
  }
  const final = resource === 'cpu' ? (cpuLimit ?? 0) / peaks.cpu : (memoryLimit ?? 0) / peaks.memory;
  return [
    `${name} starting under too small a ${resource === 'cpu' ? 'CPU' : 'memory'} limit`,
    `${steps.join(' → ')}; final ×${final.toFixed(2)} of the true peak`,
  ];
}
