'use client';

import type { Rollout } from '@stevedore/shared';
import { countOf } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { DataTable, rowClass } from '~/components/data-table';
import { ErrorNote, SecondaryButton } from '~/components/ui';
import { useTRPC } from '~/trpc/react';
import { changedFields } from './limit-cells';

const statusStyles: Record<string, string> = {
  ok: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  error: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
  skipped: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  pending: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200',
};

export function ResultBadge({ status }: { status: string }) {
  return (
    <span
      className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${statusStyles[status] ?? ''}`}
    >
      {status}
    </span>
  );
}

function summaryOf(rollout: Rollout): string {
  const { counts } = rollout;
  const done = counts.total - counts.pending;
  const what = rollout.kind === 'rollback' ? 'Rollback' : 'Rollout';
  if (rollout.status === 'running') return `${what} running: ${done} of ${counts.total} containers`;
  const parts = [
    `${counts.ok} ok`,
    `${counts.error} failed`,
    ...(counts.skipped ? [`${counts.skipped} skipped`] : []),
  ];
  const end =
    rollout.status === 'stopped'
      ? 'stopped at the first failure'
      : rollout.status === 'interrupted'
        ? 'interrupted by a server restart'
        : 'finished';
  return `${what} ${end}: ${parts.join(', ')}`;
}

/** A rollout's per-container report, live while it runs (polled), with rollback when it has ended. */
export function RolloutReport({
  rolloutId,
  canOperate,
  onRollback,
}: {
  rolloutId: string;
  canOperate: boolean;
  onRollback?: (rolloutId: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rollout = useQuery(
    trpc.presets.rolloutStatus.queryOptions(
      { rolloutId },
      { refetchInterval: (query) => (query.state.data?.status === 'running' ? 500 : false) },
    ),
  );
  const [confirming, setConfirming] = useState(false);
  const rollback = useMutation(
    trpc.presets.rollback.mutationOptions({
      onSuccess: (started) => {
        setConfirming(false);
        void queryClient.invalidateQueries({ queryKey: trpc.presets.pathKey() });
        onRollback?.(started.id);
      },
    }),
  );
  if (rollout.error) return <ErrorNote>{rollout.error.message}</ErrorNote>;
  const data = rollout.data;
  if (!data) return <p className="text-sm text-slate-500">Loading the report…</p>;
  const done = data.counts.total - data.counts.pending;
  const canRollback = canOperate && data.kind === 'apply' && data.status !== 'running' && data.counts.ok > 0;
  return (
    <section
      className="space-y-3"
      aria-label="Rollout report"
      data-testid="rollout-report"
      data-status={data.status}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm font-medium" data-testid="rollout-summary" role="status">
          {summaryOf(data)}
        </p>
        {canRollback && !confirming && (
          <SecondaryButton type="button" onClick={() => setConfirming(true)}>
            Roll back
          </SecondaryButton>
        )}
      </div>
      {confirming && (
        <div className="flex flex-wrap items-center gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
          <span className="flex-1">
            Re-apply the values {countOf(data.counts.ok, 'container')} had before this rollout?
          </span>
          <SecondaryButton type="button" onClick={() => setConfirming(false)}>
            Cancel
          </SecondaryButton>
          <SecondaryButton
            type="button"
            className="border-amber-500"
            disabled={rollback.isPending}
            onClick={() => rollback.mutate({ rolloutId })}
          >
            Roll back {data.counts.ok}
          </SecondaryButton>
        </div>
      )}
      {rollback.error && <ErrorNote>{rollback.error.message}</ErrorNote>}
      <div
        className="h-2 overflow-hidden rounded bg-slate-200 dark:bg-slate-800"
        role="progressbar"
        aria-label="Containers done"
        aria-valuemin={0}
        aria-valuemax={data.counts.total}
        aria-valuenow={done}
      >
        <div
          className={`h-full ${data.counts.error ? 'bg-amber-500' : 'bg-emerald-500'}`}
          style={{ width: `${data.counts.total ? (done / data.counts.total) * 100 : 100}%` }}
        />
      </div>
      <DataTable columns={['Host', 'Container', 'Result', 'Changed']}>
        {data.results.map((result) => (
          <tr
            key={`${result.hostId}/${result.containerId}`}
            className={rowClass}
            data-testid="rollout-row"
            data-container={result.containerName}
            data-status={result.status}
          >
            <td className="px-4 py-2 whitespace-nowrap">{result.hostName}</td>
            <td className="px-4 py-2 font-medium">{result.containerName}</td>
            <td className="px-4 py-2">
              <ResultBadge status={result.status} />
              {result.error && (
                <p className="mt-1 max-w-md text-xs break-words text-red-700 dark:text-red-300">
                  {result.error}
                </p>
              )}
              {result.warnings.map((warning) => (
                <p key={warning} className="mt-1 text-xs text-amber-700 dark:text-amber-300">
                  {warning}
                </p>
              ))}
            </td>
            <td className="px-4 py-2 text-xs">{changedFields(result.before, result.after)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
