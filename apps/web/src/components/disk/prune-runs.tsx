'use client';

import { bytesSize } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '~/trpc/react';
import { ErrorNote } from '../ui';
import { PruneItems } from './prune-items';

/** The record of a host's clean-up runs: when, why, what went, what it freed, what failed. */
export function PruneRuns({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const runs = useQuery(trpc.disk.pruneRuns.queryOptions({ hostId, limit: 20 }));
  return (
    <div data-testid="prune-runs" className="space-y-2">
      <h3 className="text-sm font-semibold">Runs</h3>
      {runs.isError && <ErrorNote>{runs.error.message}</ErrorNote>}
      {runs.data?.length === 0 && (
        <p className="text-sm text-slate-500">No runs yet: save an enabled policy, or run it now.</p>
      )}
      <ul className="space-y-1">
        {runs.data?.map((run) => (
          <li key={run.id} data-testid="prune-run">
            <details className="rounded-md border border-slate-200 px-3 py-1.5 text-sm dark:border-slate-800">
              <summary className="cursor-pointer">
                {new Date(run.startedAt).toLocaleString()} ·{' '}
                {run.trigger === 'schedule' ? 'scheduled' : 'by hand'} · {run.removed.length} removed ·{' '}
                {bytesSize(run.bytesFreed)} freed
                {run.errors.length > 0 && (
                  <span className="text-red-700 dark:text-red-300"> · {run.errors.length} failed</span>
                )}
              </summary>
              <div className="mt-2 space-y-2">
                <PruneItems items={run.removed} empty="Nothing was removed." />
                {run.errors.map((error) => (
                  <p key={error} className="break-words text-xs text-red-700 dark:text-red-300">
                    {error}
                  </p>
                ))}
              </div>
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}
