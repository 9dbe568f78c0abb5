'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { AddHostForm } from '~/components/add-host-form';
import { Button, ErrorNote, StateBadge } from '~/components/ui';
import { useHostStatuses } from '~/components/use-host-statuses';
import { useTRPC } from '~/trpc/react';

export default function HostsPage() {
  const trpc = useTRPC();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const live = useHostStatuses();
  const me = useQuery(trpc.auth.status.queryOptions());
  const [adding, setAdding] = useState(false);

  return (
    <section className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Hosts</h1>
        {me.data?.user?.role === 'admin' && !adding && (
          <Button onClick={() => setAdding(true)}>Add host</Button>
        )}
      </div>
      {adding && <AddHostForm onDone={() => setAdding(false)} />}
      {hosts.isError && <ErrorNote>{hosts.error.message}</ErrorNote>}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="min-w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-800">
            <tr>
              <th className="px-4 py-3">Name</th>
              <th className="px-4 py-3">State</th>
              <th className="px-4 py-3">Transport</th>
              <th className="px-4 py-3">Address</th>
              <th className="px-4 py-3">Last error</th>
            </tr>
          </thead>
          <tbody>
            {hosts.isPending && (
              <tr>
                <td colSpan={5} className="px-4 py-6 text-slate-500">
                  Loading…
                </td>
              </tr>
            )}
            {hosts.data?.length === 0 && (
              <tr>
                <td colSpan={5} className="px-4 py-6 text-slate-500">
                  No hosts yet.
                </td>
              </tr>
            )}
            {hosts.data?.map((host) => {
              const status = live[host.id] ?? host.status;
              return (
                <tr
                  key={host.id}
                  data-testid={`host-row-${host.name}`}
                  className="border-b border-slate-100 last:border-0 dark:border-slate-800"
                >
                  <td className="px-4 py-3 font-medium">
                    <Link
                      href={`/hosts/${host.id}`}
                      className="text-sky-700 hover:underline dark:text-sky-400"
                    >
                      {host.name}
                    </Link>
                  </td>
                  <td className="px-4 py-3">
                    <StateBadge state={status.state} />
                  </td>
                  <td className="px-4 py-3">{host.transport}</td>
                  <td className="px-4 py-3 font-mono text-xs">{host.address}</td>
                  <td className="px-4 py-3 text-xs text-slate-500">{status.lastError ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
