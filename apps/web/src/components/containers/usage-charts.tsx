'use client';

import { bytesSize, type UsageHistory, type UsageRange } from '@stevedore/shared';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';
import { type ChartLine, UsageChart, useDarkTheme } from './usage-chart';
import { chartData, latest, memoryLimit } from './usage-series';

const RANGES: { value: UsageRange; label: string; refreshMs: number }[] = [
  { value: '5m', label: '5 min', refreshMs: 2_000 },
  { value: '1h', label: '1 h', refreshMs: 10_000 },
  { value: '24h', label: '24 h', refreshMs: 60_000 },
  { value: '7d', label: '7 d', refreshMs: 60_000 },
];
/** Enough points for a wide screen; the agent merges buckets to stay within it. */
const MAX_POINTS = 1200;

const percent = (value: number) => `${value === 0 || value >= 10 ? value.toFixed(0) : value.toFixed(1)} %`;
const bytes = (value: number) => bytesSize(value);
const rate = (value: number) => `${bytesSize(value)}/s`;
const count = (value: number) => String(Math.round(value));

/** Tick steps for bytes: 1, 2, 4 … 512 of B, KiB, MiB, GiB, TiB, so labels read 16MiB, not 16.78MB. */
const BYTE_STEPS = [0, 1, 2, 3, 4].flatMap((power) =>
  [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * 1024 ** power),
);
/** Whole numbers only (PIDs). */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000];

const CPU_RAW: ChartLine[] = [{ label: 'CPU', color: '#0284c7' }];
const CPU_BUCKETS: ChartLine[] = [
  { label: 'CPU avg', color: '#0284c7' },
  { label: 'CPU max', color: '#7dd3fc', width: 1 },
];
const MEMORY: ChartLine[] = [
  { label: 'Working set', color: '#7c3aed' },
  { label: 'Limit', color: '#dc2626', dash: [6, 4], width: 1 },
];
const NETWORK: ChartLine[] = [
  { label: 'Received', color: '#059669' },
  { label: 'Sent', color: '#d97706' },
];
const BLOCK: ChartLine[] = [
  { label: 'Read', color: '#2563eb' },
  { label: 'Written', color: '#db2777' },
];
const PIDS: ChartLine[] = [{ label: 'PIDs', color: '#475569' }];

function resolution(step: number): string {
  if (step === 1) return '1 s samples';
  if (step < 60) return `${step} s buckets (average and maximum)`;
  return `${step / 60} min buckets (average and maximum)`;
}

/**
 * CPU, memory (with its limit), network, block I/O and PIDs of one container over a chosen range,
 * from the usage history its agent records. The 5 minute view refreshes every 2 seconds.
 */
export function UsageCharts({ hostId, containerId }: { hostId: string; containerId: string }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<UsageRange>('5m');
  const refreshMs = RANGES.find((r) => r.value === range)?.refreshMs ?? 60_000;
  const query = useQuery({
    ...trpc.containers.usage.history.queryOptions({
      hostId,
      container: containerId,
      range,
      maxPoints: MAX_POINTS,
      // The charts draw averages and the CPU maximum: half the bytes of every column.
      stats: ['max'],
    }),
    refetchInterval: refreshMs,
    placeholderData: keepPreviousData,
    // A removed container will not come back: say so at once instead of after the retries.
    retry: (count, error) => count < 2 && (error as { data?: { code?: string } }).data?.code !== 'NOT_FOUND',
  });

  return (
    <div className="space-y-4" data-testid="usage-charts">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">Usage</h2>
        <fieldset className="flex rounded-md border border-slate-300 p-0.5 dark:border-slate-700">
          <legend className="sr-only">Time range</legend>
          {RANGES.map((option) => (
            <button
              key={option.value}
              type="button"
              aria-pressed={range === option.value}
              data-testid={`usage-range-${option.value}`}
              onClick={() => setRange(option.value)}
              className={`rounded px-3 py-1 text-sm focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 ${
                range === option.value
                  ? 'bg-sky-600 text-white'
                  : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'
              }`}
            >
              {option.label}
            </button>
          ))}
        </fieldset>
      </div>
      {query.isPending ? (
        <p className="text-sm text-slate-500" data-testid="usage-loading">
          Loading usage…
        </p>
      ) : query.isError ? (
        <ErrorNote>Could not load the usage history: {query.error.message}</ErrorNote>
      ) : query.data.timestamps.length === 0 ? (
        <p
          data-testid="usage-empty"
          className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400"
        >
          No samples yet in this range. The agent records usage every second while the container runs — start
          it, or pick a longer range.
        </p>
      ) : (
        <Charts history={query.data} stale={query.isPlaceholderData} />
      )}
    </div>
  );
}

function Charts({ history, stale }: { history: UsageHistory; stale: boolean }) {
  const dark = useDarkTheme();
  const buckets = history.step > 1;
  const cpuLines = buckets ? CPU_BUCKETS : CPU_RAW;
  const data = useMemo(() => {
    const memory = chartData(history, [{ series: 'memoryWorkingSet' }, { series: 'memoryLimit' }]);
    // 0 means "no limit": no line rather than one along the floor.
    memory[2] = (memory[2] ?? []).map((value) => (value ? value : null));
    return {
      cpu: chartData(history, [
        { series: 'cpuPercent' },
        ...(buckets ? [{ series: 'cpuPercent', stat: 'max' } as const] : []),
      ]),
      memory,
      network: chartData(history, [{ series: 'networkRx' }, { series: 'networkTx' }]),
      block: chartData(history, [{ series: 'blockRead' }, { series: 'blockWrite' }]),
      pids: chartData(history, [{ series: 'pids' }]),
    };
  }, [history, buckets]);
  const value = (series: Parameters<typeof latest>[1], format: (v: number) => string) => {
    const figure = latest(history, series);
    return figure === null ? '—' : format(figure);
  };
  const limit = memoryLimit(history);
  const cpuNow = latest(history, 'cpuPercent');
  const throttled = latest(history, 'cpuThrottledMs');

  return (
    <div className={stale ? 'opacity-60 transition-opacity' : ''}>
      <p className="mb-3 text-xs text-slate-500">{resolution(history.step)}</p>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <UsageChart
          title="CPU"
          testId="chart-cpu"
          dark={dark}
          data={data.cpu}
          lines={cpuLines}
          format={percent}
          summary={
            <span data-testid="usage-latest-cpu" data-value={cpuNow ?? ''}>
              {cpuNow === null ? '—' : percent(cpuNow)}
              {throttled ? ` · throttled ${throttled.toFixed(0)} ms/s` : ''}
            </span>
          }
        />
        <UsageChart
          title="Memory (working set)"
          testId="chart-memory"
          dark={dark}
          data={data.memory}
          lines={MEMORY}
          format={bytes}
          incrs={BYTE_STEPS}
          summary={`${value('memoryWorkingSet', bytes)} / ${limit ? bytes(limit) : 'no limit'}`}
        />
        <UsageChart
          title="Network"
          testId="chart-network"
          dark={dark}
          data={data.network}
          lines={NETWORK}
          format={rate}
          incrs={BYTE_STEPS}
          summary={`↓ ${value('networkRx', rate)} ↑ ${value('networkTx', rate)}`}
        />
        <UsageChart
          title="Block I/O"
          testId="chart-block"
          dark={dark}
          data={data.block}
          lines={BLOCK}
          format={rate}
          incrs={BYTE_STEPS}
          summary={`read ${value('blockRead', rate)} · write ${value('blockWrite', rate)}`}
        />
        <UsageChart
          title="PIDs"
          testId="chart-pids"
          dark={dark}
          data={data.pids}
          lines={PIDS}
          format={count}
          incrs={COUNT_STEPS}
          summary={value('pids', count)}
        />
      </div>
    </div>
  );
}
