'use client';

import { bytesSize, type LimitsRecommendation, type ResourcesUpdate } from '@stevedore/shared';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { type ChartLine, UsageChart, useDarkTheme } from '~/components/containers/usage-chart';
import type { ChartData } from '~/components/containers/usage-series';
import { Button, ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

type Range = LimitsRecommendation['range'];
const RANGES: { value: Range; label: string }[] = [
  { value: '1h', label: '1 h' },
  { value: '24h', label: '24 h' },
  { value: '7d', label: '7 d' },
];

const MEMORY_LINES: ChartLine[] = [
  { label: 'Working set p95', color: '#7c3aed' },
  { label: 'Current limit', color: '#dc2626', dash: [6, 4], width: 1 },
  { label: 'Proposed', color: '#059669', dash: [2, 3], width: 2 },
];
const CPU_LINES: ChartLine[] = [
  { label: 'CPU p95', color: '#0284c7' },
  { label: 'Current limit', color: '#dc2626', dash: [6, 4], width: 1 },
  { label: 'Proposed', color: '#059669', dash: [2, 3], width: 2 },
];
/** Tick steps for bytes in powers of two, as the charts tab uses. */
const BYTE_STEPS = [0, 1, 2, 3, 4].flatMap((power) =>
  [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * 1024 ** power),
);
const bytes = (value: number) => bytesSize(value);
const cpus = (value: number) => `${Number((value / 100).toFixed(2))} CPU`;
const cpusOfNano = (nano: number) => `${Number((nano / 1e9).toFixed(2))} CPUs`;

/** A time axis needs two points: with one, uPlot spans 1970 and labels it "Jan 1". */
const MIN_CHART_POINTS = 2;
const pointsText = (n: number) => (n === 0 ? 'no point' : n === 1 ? 'one point' : `${n} points`);

/** A flat line at `value` over the chart's times, or a broken one (nulls) when there is none. */
const flat = (length: number, value: number | null) => Array.from({ length }, () => value);

/**
 * Why the proposal is what it is: the reasons and warnings in words, and two charts with the
 * percentile line, the current limit and the proposed one. One click applies it.
 */
export function RecommendationPanel({
  hostId,
  containerId,
  canOperate,
  applying,
  onApply,
}: {
  hostId: string;
  containerId: string;
  canOperate: boolean;
  applying: boolean;
  onApply(changes: ResourcesUpdate): void;
}) {
  const trpc = useTRPC();
  const dark = useDarkTheme();
  const [range, setRange] = useState<Range>('24h');
  const query = useQuery({
    ...trpc.containers.limits.recommend.queryOptions({ hostId, container: containerId, range }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  const data = query.data;
  const charts = useMemo(() => {
    if (!data) return null;
    const { chart, recommendation: r } = data;
    const n = chart.timestamps.length;
    const memory: ChartData = [
      chart.timestamps,
      chart.memoryP95,
      flat(n, r.memory.current),
      flat(n, r.proposal.Memory),
    ];
    const cpu: ChartData = [
      chart.timestamps,
      chart.cpuP95,
      flat(n, r.cpu.current === null ? null : r.cpu.current * 100),
      flat(n, r.proposal.NanoCpus === null ? null : r.proposal.NanoCpus / 1e7),
    ];
    return { memory, cpu };
  }, [data]);

  const proposal = data?.recommendation.proposal;
  const changes: ResourcesUpdate = {
    ...(proposal?.Memory ? { Memory: proposal.Memory } : {}),
    ...(proposal?.NanoCpus ? { NanoCpus: proposal.NanoCpus } : {}),
  };

  return (
    <section
      aria-labelledby="recommendation-title"
      data-testid="recommendation"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <header className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="recommendation-title" className="text-sm font-semibold">
          Recommended limits
        </h2>
        <fieldset aria-label="Window" className="flex gap-1">
          {RANGES.map((r) => (
            <button
              key={r.value}
              type="button"
              aria-pressed={range === r.value}
              onClick={() => setRange(r.value)}
              className={`rounded-md border px-2 py-1 text-xs focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 ${
                range === r.value
                  ? 'border-sky-600 bg-sky-600 text-white'
                  : 'border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800'
              }`}
            >
              {r.label}
            </button>
          ))}
        </fieldset>
      </header>
      {query.isPending && <p className="text-sm text-slate-500">Reading the usage history…</p>}
      {query.isError && <ErrorNote>Cannot compute a recommendation: {query.error.message}</ErrorNote>}
      {data && (
        <>
          <dl className="grid grid-cols-2 gap-3 text-sm sm:max-w-md">
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">Memory</dt>
              <dd className="font-mono" data-testid="proposed-memory">
                {proposal?.Memory ? bytesSize(proposal.Memory) : '—'}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600 dark:text-slate-400">CPUs</dt>
              <dd className="font-mono" data-testid="proposed-cpus">
                {proposal?.NanoCpus ? cpusOfNano(proposal.NanoCpus) : '—'}
              </dd>
            </div>
          </dl>
          {data.recommendation.warnings.length > 0 && (
            <ul className="space-y-1" aria-label="Warnings">
              {data.recommendation.warnings.map((w) => (
                <li
                  key={`${w.code}-${w.message}`}
                  data-code={w.code}
                  className="rounded-md bg-amber-50 px-3 py-1.5 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
                >
                  {w.message}
                </li>
              ))}
            </ul>
          )}
          <ul
            className="list-disc space-y-1 pl-5 text-sm text-slate-700 dark:text-slate-300"
            aria-label="Why"
          >
            {data.recommendation.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          {charts && data.chart.timestamps.length < MIN_CHART_POINTS && (
            <p data-testid="recommendation-no-chart" className="text-sm text-slate-600 dark:text-slate-400">
              Not enough history for a chart yet ({pointsText(data.chart.timestamps.length)} in this window):
              it appears once the usage history has {MIN_CHART_POINTS} points.
            </p>
          )}
          {charts && data.chart.timestamps.length >= MIN_CHART_POINTS && (
            <div className="grid gap-3 lg:grid-cols-2">
              <UsageChart
                title="Memory: working set"
                testId="recommendation-memory-chart"
                summary={pointsText(data.recommendation.points)}
                data={charts.memory}
                lines={MEMORY_LINES}
                format={bytes}
                incrs={BYTE_STEPS}
                dark={dark}
                height={160}
              />
              <UsageChart
                title="CPU"
                testId="recommendation-cpu-chart"
                summary={`throttled ${(data.recommendation.cpu.throttledShare * 100).toFixed(1)} %`}
                data={charts.cpu}
                lines={CPU_LINES}
                format={cpus}
                dark={dark}
                height={160}
              />
            </div>
          )}
          {canOperate && Object.keys(changes).length > 0 && (
            <Button type="button" disabled={applying} onClick={() => onApply(changes)}>
              {applying ? 'Applying…' : 'Apply recommendation'}
            </Button>
          )}
        </>
      )}
    </section>
  );
}
