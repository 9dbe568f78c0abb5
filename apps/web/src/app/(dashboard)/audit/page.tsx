'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { DataTable, rowClass } from '~/components/data-table';
import { ErrorNote, SecondaryButton } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

export default function AuditPage() {
  const trpc = useTRPC();
  const audit = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const entries = audit.data?.pages.flatMap((page) => page.entries) ?? [];

  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      {audit.isError && <ErrorNote>{audit.error.message}</ErrorNote>}
      <DataTable columns={['When', 'Who', 'Action', 'Target', 'Parameters', 'Result']}>
        {entries.map((entry) => (
          <tr key={entry.id} data-testid="audit-row" className={rowClass}>
            <td className="whitespace-nowrap px-4 py-2 text-xs text-slate-500">
              {new Date(entry.at).toLocaleString()}
            </td>
            <td className="px-4 py-2">{entry.username}</td>
            <td className="px-4 py-2 font-mono text-xs">{entry.action}</td>
            <td className="px-4 py-2">{entry.target ?? ''}</td>
            <td
              className="max-w-xs truncate px-4 py-2 font-mono text-xs"
              title={JSON.stringify(entry.params)}
            >
              {JSON.stringify(entry.params)}
            </td>
            <td className="px-4 py-2">
              {entry.result === 'ok' ? (
                <span className="text-emerald-700 dark:text-emerald-400">ok</span>
              ) : (
                <span className="text-red-700 dark:text-red-400" title={entry.error ?? ''}>
                  error: {entry.error}
                </span>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {audit.hasNextPage && (
        <SecondaryButton onClick={() => audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
          Load more
        </SecondaryButton>
      )}
    </section>
  );
}
