'use client';

import {
  type ContainerInspect,
  countOf,
  effectiveHealthcheck,
  formatGoDuration,
  type HealthState,
  type HealthStatus,
} from '@stevedore/shared';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTRPC } from '~/trpc/react';
import { shellWords, when } from './overview-format';
import { Facts, Section } from './overview-parts';

const badgeStyles: Record<HealthStatus, string> = {
  healthy: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  unhealthy: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
  starting: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200',
};

/** Slowest refresh of the probe log while the page is open (the status itself comes with events). */
const MAX_REFRESH_MS = 30_000;
const MIN_REFRESH_MS = 2_000;

/** healthy / unhealthy / health: starting, for the header; nothing for a container without a healthcheck. */
export function ContainerHealthBadge({ state }: { state: ContainerInspect['State'] }) {
  const health = state.Health;
  if (!health || !state.Running) return null;
  const last = health.Log.at(-1);
  return (
    <span
      data-testid="container-page-health"
      title={last ? `last probe ${when(last.End) ?? ''}: exit ${last.ExitCode}` : 'no probe has run yet'}
      className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${badgeStyles[health.Status]}`}
    >
      {health.Status === 'starting' ? 'health: starting' : health.Status}
    </span>
  );
}

function testText(test: string[]): string {
  if (test[0] === 'CMD-SHELL') return test[1] ?? '';
  return shellWords(test.slice(1));
}

const took = (start: string, end: string) => {
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`) : '—';
};

/**
 * The overview's "Health" card: the healthcheck as configured, the status with its failing
 * streak, and the last probes' results with their output (newest first). While it runs, the
 * card refreshes at the probe interval, so new results show without an event.
 */
export function HealthSection({ container }: { container: ContainerInspect }) {
  const check = effectiveHealthcheck(container.Config.Healthcheck);
  const health = container.State.Health;
  useRefreshWhileProbing(check && container.State.Running ? check.interval / 1_000_000 : null);
  if (!check) {
    return (
      <Section
        title="Health"
        empty={
          container.Config.Healthcheck?.Test?.[0] === 'NONE'
            ? 'Healthcheck disabled (--no-healthcheck).'
            : 'No healthcheck. Add one with --health-cmd (Health section of the run form) or a HEALTHCHECK in the image.'
        }
      />
    );
  }
  return (
    <Section title="Health">
      <div className="space-y-3" data-testid="health-section">
        <Facts
          rows={[
            [
              'Status',
              health ? <HealthStatusText key="s" health={health} running={container.State.Running} /> : '—',
            ],
            ['Check', testText(check.test)],
            [
              'Every',
              `${formatGoDuration(check.interval)} (timeout ${formatGoDuration(check.timeout)}, unhealthy after ${countOf(check.retries, 'failure')} in a row)`,
            ],
            ...(check.startPeriod > 0
              ? ([
                  [
                    'Start period',
                    `${formatGoDuration(check.startPeriod)} (probing every ${formatGoDuration(check.startInterval)})`,
                  ],
                ] as [string, string][])
              : []),
          ]}
        />
        <HealthLog health={health} />
      </div>
    </Section>
  );
}

function HealthStatusText({ health, running }: { health: HealthState; running: boolean }) {
  return (
    <span>
      <span data-testid="health-status" className="font-semibold">
        {health.Status}
      </span>
      {health.FailingStreak > 0 && ` · ${health.FailingStreak} failed in a row`}
      {!running && ' · not probed while stopped'}
    </span>
  );
}

function HealthLog({ health }: { health: HealthState | undefined }) {
  const entries = [...(health?.Log ?? [])].reverse();
  if (entries.length === 0) return <p className="text-sm text-slate-500">No probe has run yet.</p>;
  return (
    <ol className="space-y-2" aria-label="Last probes, newest first" data-testid="health-log">
      {entries.map((entry) => (
        <li
          key={entry.Start}
          className="rounded border border-slate-200 p-2 text-xs dark:border-slate-800"
          data-exit-code={entry.ExitCode}
        >
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <span
              className={
                entry.ExitCode === 0
                  ? 'font-medium text-emerald-700 dark:text-emerald-300'
                  : 'font-medium text-red-700 dark:text-red-300'
              }
            >
              {entry.ExitCode === 0
                ? 'passed'
                : entry.ExitCode === -1
                  ? 'failed (did not finish)'
                  : `failed (exit ${entry.ExitCode})`}
            </span>
            <span className="text-slate-500">{when(entry.Start) ?? entry.Start}</span>
            <span className="text-slate-500">took {took(entry.Start, entry.End)}</span>
          </div>
          {entry.Output.trim() !== '' ? (
            <pre className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-slate-800 dark:bg-slate-950 dark:text-slate-200">
              {entry.Output}
            </pre>
          ) : (
            <p className="mt-1 text-slate-500">No output.</p>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Refetches the container's inspect every probe interval (bounded) while it is being probed. */
function useRefreshWhileProbing(intervalMs: number | null) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (intervalMs === null) return;
    const every = Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, intervalMs));
    const timer = setInterval(() => {
      void queryClient.invalidateQueries({ queryKey: trpc.containers.details.inspect.pathKey() });
    }, every);
    return () => clearInterval(timer);
  }, [intervalMs, queryClient, trpc]);
}
