'use client';

import { bytesSize, type FleetHost } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { AddHostForm } from '~/components/add-host-form';
import { DataTable, rowClass } from '~/components/data-table';
import { Button, ErrorNote, StateBadge } from '~/components/ui';
import { UsageMeter } from '~/components/usage-meter';
import { useHostStatuses } from '~/components/use-host-statuses';
import { useTRPC } from '~/trpc/react';

const REFRESH_MS = 2_000;

function percent(used: number, total: number): number {
  return total > 0 ? (used / total) * 100 : 0;
}

export default function HostsPage() {
  const trpc = useTRPC();
  const fleet = useQuery({ ...trpc.hosts.fleet.queryOptions(), refetchInterval: REFRESH_MS });
  const live = useHostStatuses();
  const me = useQuery(trpc.auth.status.queryOptions());
  const [adding, setAdding] = useState(false);
  const [search, setSearch] = useState('');
  const hosts = useMemo(
    () => (fleet.data ?? []).filter((host) => host.name.toLowerCase().includes(search.trim().toLowerCase())),
    [fleet.data, search],
  );

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">Hosts</h1>
        <input
          type="search"
          aria-label="Search hosts"
          placeholder="Search hosts"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="ml-auto w-56 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900"
        />
        {me.data?.user?.role === 'admin' && !adding && (
          <Button onClick={() => setAdding(true)}>Add host</Button>
        )}
      </div>
      {adding && <AddHostForm onDone={() => setAdding(false)} />}
      {fleet.isError && <ErrorNote>{fleet.error.message}</ErrorNote>}
      <DataTable
        columns={[
          'Name',
          'State',
          'Agent',
          'CPU',
          'Memory',
          'Disk (data-root)',
          'Containers',
          'Images',
          'Address',
        ]}
      >
        {fleet.isPending && (
          <tr>
            <td colSpan={9} className="px-4 py-6 text-slate-500">
              Loading…
            </td>
          </tr>
        )}
        {fleet.isSuccess && hosts.length === 0 && (
          <tr>
            <td colSpan={9} className="px-4 py-6 text-slate-500">
              {search ? 'No host matches.' : 'No hosts yet.'}
            </td>
          </tr>
        )}
        {hosts.map((host) => (
          <HostRow key={host.id} host={host} state={(live[host.id] ?? host.status).state} />
        ))}
      </DataTable>
    </section>
  );
}

function HostRow({ host, state }: { host: FleetHost; state: string }) {
  const { agent, usage } = host;
  const lastError = host.status.lastError ?? host.error;
  return (
    <tr data-testid={`host-row-${host.name}`} className={`${rowClass} align-top`}>
      <td className="px-4 py-3 font-medium">
        <Link href={`/hosts/${host.id}`} className="text-sky-700 hover:underline dark:text-sky-400">
          {host.name}
        </Link>
      </td>
      <td className="px-4 py-3">
        <StateBadge state={state} />
        {lastError && state !== 'online' && (
          <div className="mt-1 max-w-48 truncate text-xs text-slate-500" title={lastError}>
            {lastError}
          </div>
        )}
      </td>
      <td className="px-4 py-3 text-xs" data-testid="host-agent">
        {agent ? (
          <>
            <div>Stevedore {agent.version}</div>
            <div className="text-slate-500">
              {agent.runtime} · cgroup v{agent.cgroupVersion}
            </div>
          </>
        ) : (
          '—'
        )}
      </td>
      <td className="px-4 py-3" data-testid="host-cpu">
        {usage ? (
          <UsageMeter percent={usage.cpuPercent} label={`${usage.cpuPercent.toFixed(0)}% of ${usage.ncpu}`} />
        ) : (
          '—'
        )}
      </td>
      <td className="px-4 py-3" data-testid="host-memory">
        {usage ? (
          <UsageMeter
            percent={percent(usage.memUsed, usage.memTotal)}
            label={`${bytesSize(usage.memUsed)} / ${bytesSize(usage.memTotal)}`}
          />
        ) : (
          '—'
        )}
      </td>
      <td className="px-4 py-3" data-testid="host-disk">
        {usage ? (
          <UsageMeter
            percent={percent(usage.diskUsed, usage.diskTotal)}
            label={`${bytesSize(usage.diskUsed)} / ${bytesSize(usage.diskTotal)}`}
          />
        ) : (
          '—'
        )}
      </td>
      <td className="px-4 py-3 tabular-nums" data-testid="host-containers">
        {agent ? `${agent.containersRunning} running · ${agent.containersStopped} stopped` : '—'}
      </td>
      <td className="px-4 py-3 tabular-nums">{agent ? agent.images : '—'}</td>
      <td className="px-4 py-3 font-mono text-xs">{host.address}</td>
    </tr>
  );
}
