'use client';

import { bytesSize, type UsageHistory, type UsageRange, type UsageSeriesName } from '@stevedore/shared';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';
import { type ChartLine, UsageChart, useDarkTheme } from './usage-chart';
import { chartData, type LineSpec, latest, memoryLimit } from './usage-series';

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

/** One line of a chart: which column of the history it draws, and how. */
interface ChartSeries extends ChartLine, LineSpec {
  /** 0 means "none" (no memory limit): no line rather than one along the floor. */
  zeroIsGap?: boolean;
}

/** One chart of the usage tab: everything that differs between them. */
interface ChartDefinition {
  key: string;
  title: string;
  /** Constants, so a chart is rebuilt only when its lines really change (raw samples ↔ buckets). */
  series(buckets: boolean): readonly ChartSeries[];
  format(value: number): string;
  /** The y axis's tick steps; uPlot's decimal ones when absent. */
  incrs?: readonly number[];
  /** The figures beside the title: the newest values. */
  summary(history: UsageHistory): ReactNode;
}

const CPU_RAW: ChartSeries[] = [{ series: 'cpuPercent', label: 'CPU', color: '#0284c7' }];
const CPU_BUCKETS: ChartSeries[] = [
  { series: 'cpuPercent', label: 'CPU avg', color: '#0284c7' },
  { series: 'cpuPercent', stat: 'max', label: 'CPU max', color: '#7dd3fc', width: 1 },
];
const MEMORY: ChartSeries[] = [
  { series: 'memoryWorkingSet', label: 'Working set', color: '#7c3aed' },
  { series: 'memoryLimit', label: 'Limit', color: '#dc2626', dash: [6, 4], width: 1, zeroIsGap: true },
];
const NETWORK: ChartSeries[] = [
  { series: 'networkRx', label: 'Received', color: '#059669' },
  { series: 'networkTx', label: 'Sent', color: '#d97706' },
];
const BLOCK: ChartSeries[] = [
  { series: 'blockRead', label: 'Read', color: '#2563eb' },
  { series: 'blockWrite', label: 'Written', color: '#db2777' },
];
const PIDS: ChartSeries[] = [{ series: 'pids', label: 'PIDs', color: '#475569' }];

/** The newest value of a series, formatted; a dash when there is none. */
const newest = (history: UsageHistory, series: UsageSeriesName, format: (v: number) => string) => {
  const figure = latest(history, series);
  return figure === null ? '—' : format(figure);
};

const CHARTS: readonly ChartDefinition[] = [
  {
    key: 'cpu',
    title: 'CPU',
    series: (buckets) => (buckets ? CPU_BUCKETS : CPU_RAW),
    format: percent,
    summary: (history) => {
      const now = latest(history, 'cpuPercent');
      const throttled = latest(history, 'cpuThrottledMs');
      return (
        <span data-testid="usage-latest-cpu" data-value={now ?? ''}>
          {now === null ? '—' : percent(now)}
          {throttled ? ` · throttled ${throttled.toFixed(0)} ms/s` : ''}
        </span>
      );
    },
  },
  {
    key: 'memory',
    title: 'Memory (working set)',
    series: () => MEMORY,
    format: bytes,
    incrs: BYTE_STEPS,
    summary: (history) => {
      const limit = memoryLimit(history);
      return `${newest(history, 'memoryWorkingSet', bytes)} / ${limit ? bytes(limit) : 'no limit'}`;
    },
  },
  {
    key: 'network',
    title: 'Network',
    series: () => NETWORK,
    format: rate,
    incrs: BYTE_STEPS,
    summary: (history) => `↓ ${newest(history, 'networkRx', rate)} ↑ ${newest(history, 'networkTx', rate)}`,
  },
  {
    key: 'block',
    title: 'Block I/O',
    series: () => BLOCK,
    format: rate,
    incrs: BYTE_STEPS,
    summary: (history) =>
      `read ${newest(history, 'blockRead', rate)} · write ${newest(history, 'blockWrite', rate)}`,
  },
  {
    key: 'pids',
    title: 'PIDs',
    series: () => PIDS,
    format: count,
    incrs: COUNT_STEPS,
    summary: (history) => newest(history, 'pids', count),
  },
];

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
  return (
    <div className={stale ? 'opacity-60 transition-opacity' : ''}>
      <p className="mb-3 text-xs text-slate-500">{resolution(history.step)}</p>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        {CHARTS.map((definition) => (
          <DefinedChart key={definition.key} definition={definition} history={history} dark={dark} />
        ))}
      </div>
    </div>
  );
}

/** One chart of the table above, drawn from the history. */
function DefinedChart({
  definition,
  history,
  dark,
}: {
  definition: ChartDefinition;
  history: UsageHistory;
  dark: boolean;
}) {
  const lines = definition.series(history.step > 1);
  const data = useMemo(() => {
    const columns = chartData(history, lines);
    lines.forEach((line, index) => {
      const column = columns[index + 1];
      if (line.zeroIsGap && column) columns[index + 1] = column.map((value) => (value ? value : null));
    });
    return columns;
  }, [history, lines]);
  return (
    <UsageChart
      title={definition.title}
      testId={`chart-${definition.key}`}
      dark={dark}
      data={data}
      lines={lines}
      format={definition.format}
      incrs={definition.incrs}
      summary={definition.summary(history)}
    />
  );
}
