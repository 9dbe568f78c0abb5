'use client';

import type { MirrorHealth, MirrorHealthReport } from '@stevedore/shared';
import { useMemo } from 'react';
import { type ChartLine, UsageChart, useDarkTheme } from '~/components/containers/usage-chart';
import type { ChartData } from '~/components/containers/usage-series';

const LINES: readonly ChartLine[] = [{ label: 'latency', color: '#0284c7' }];
const formatMs = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

function latest(mirror: MirrorHealth) {
  return mirror.probes.at(-1) ?? null;
}

function MirrorChart({ mirror, dark }: { mirror: MirrorHealth; dark: boolean }) {
  // A failed probe is a gap in the line, so an outage shows as one.
  const data = useMemo<ChartData>(
    () => [mirror.probes.map((p) => p.at / 1000), mirror.probes.map((p) => (p.ok ? p.latencyMs : null))],
    [mirror.probes],
  );
  const last = latest(mirror);
  const failures = mirror.probes.filter((p) => !p.ok).length;
  return (
    <UsageChart
      title={mirror.url}
      testId="mirror-health-chart"
      summary={
        last ? (
          <span>
            <span
              className={
                last.ok ? 'text-emerald-700 dark:text-emerald-300' : 'text-red-700 dark:text-red-300'
              }
              data-testid="mirror-health-state"
            >
              {last.ok ? 'up' : 'down'}
            </span>{' '}
            {last.ok && last.latencyMs !== null ? formatMs(last.latencyMs) : (last.error ?? '')}
            {failures > 0 ? ` · ${failures} of ${mirror.probes.length} probes failed` : ''}
          </span>
        ) : (
          'not probed yet'
        )
      }
      data={data}
      lines={LINES}
      format={formatMs}
      dark={dark}
      height={110}
    />
  );
}

/** Each mirror's probes (GET /v2/ every 30 s): up or down now, and its latency over time. */
export function MirrorHealthPanel({ report }: { report: MirrorHealthReport }) {
  const dark = useDarkTheme();
  if (report.mirrors.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        No mirrors to probe. Add a mirror to a registry above and its health shows here.
      </p>
    );
  }
  return (
    <div className="grid gap-3 md:grid-cols-2">
      {report.mirrors.map((mirror) => (
        <div
          key={`${mirror.registry} ${mirror.url}`}
          data-testid="mirror-health"
          data-url={mirror.url}
          className="min-w-0"
        >
          <p className="mb-1 text-xs text-slate-500 dark:text-slate-400">mirror of {mirror.registry}</p>
          <MirrorChart mirror={mirror} dark={dark} />
        </div>
      ))}
    </div>
  );
}
