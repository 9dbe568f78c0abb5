'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
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
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="min-w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-800">
            <tr>
              <th className="px-4 py-3">When</th>
              <th className="px-4 py-3">Who</th>
              <th className="px-4 py-3">Action</th>
              <th className="px-4 py-3">Target</th>
              <th className="px-4 py-3">Parameters</th>
              <th className="px-4 py-3">Result</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr
                key={entry.id}
                data-testid="audit-row"
                className="border-b border-slate-100 last:border-0 dark:border-slate-800"
              >
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
          </tbody>
        </table>
      </div>
      {audit.hasNextPage && (
        <SecondaryButton onClick={() => audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
          Load more
        </SecondaryButton>
      )}
    </section>
  );
}
