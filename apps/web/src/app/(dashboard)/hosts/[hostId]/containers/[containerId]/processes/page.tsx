'use client';

import { countOf } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import { useContainerInspect, useContainerRoute } from '~/components/container-page/use-container';
import { DataTable, rowClass } from '~/components/data-table';
import { ErrorNote, SecondaryButton } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

const REFRESH_MS = 3_000;

export default function ContainerProcessesPage() {
  const trpc = useTRPC();
  const { hostId, containerId } = useContainerRoute();
  const inspect = useContainerInspect();
  const running = inspect.data?.State.Running === true;
  // Refreshes only while the tab is visible (react-query stops interval refetches in the background).
  const top = useQuery({
    ...trpc.containers.details.top.queryOptions({ hostId, container: containerId }),
    enabled: running,
    refetchInterval: REFRESH_MS,
  });
  if (!inspect.data) return null;
  if (!running) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300">
        The container is {inspect.data.State.Status}: it has no processes. Start it to see them here.
      </p>
    );
  }
  const titles = top.data?.Titles ?? [];
  return (
    <section className="space-y-2" aria-label="Processes">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-slate-500" aria-live="polite">
          {top.data
            ? `${countOf(top.data.Processes.length, 'process')} · refreshed every ${REFRESH_MS / 1000} s`
            : 'Loading processes…'}
        </p>
        <SecondaryButton
          className="px-3 py-1.5 text-xs sm:text-sm"
          disabled={top.isFetching}
          onClick={() => void top.refetch()}
        >
          {top.isFetching ? 'Refreshing…' : 'Refresh'}
        </SecondaryButton>
      </div>
      {top.isError && <ErrorNote>{top.error.message}</ErrorNote>}
      {top.data && (
        <ul className="space-y-2 sm:hidden" aria-label="Processes (compact)">
          {top.data.Processes.map((row) => (
            <li
              key={row.join('\u0000')}
              className="rounded-lg border border-slate-200 bg-white p-3 text-xs dark:border-slate-800 dark:bg-slate-900"
            >
              <p className="break-all font-mono">{column(titles, row, ['CMD', 'COMMAND'])}</p>
              <p className="mt-1 text-slate-500">
                PID {column(titles, row, ['PID'])} · {column(titles, row, ['UID', 'USER'])} · started{' '}
                {column(titles, row, ['STIME', 'START'])}
              </p>
            </li>
          ))}
        </ul>
      )}
      {top.data && (
        <div className="hidden sm:block">
          <DataTable columns={titles}>
            {top.data.Processes.map((row) => (
              <tr key={row.join('\u0000')} className={rowClass} data-testid="process-row">
                {row.map((cell, index) => (
                  <td
                    // biome-ignore lint/suspicious/noArrayIndexKey: ps columns are positional
                    key={index}
                    className={`px-4 py-1.5 font-mono text-xs ${titles[index] === 'CMD' || titles[index] === 'COMMAND' ? 'whitespace-pre-wrap break-all' : 'whitespace-nowrap'}`}
                  >
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </DataTable>
        </div>
      )}
    </section>
  );
}

/** The cell under the first of `names` that `ps` printed, or a dash. */
function column(titles: string[], row: string[], names: string[]): string {
  const index = titles.findIndex((title) => names.includes(title));
  return (index === -1 ? undefined : row[index]) ?? '—';
}
