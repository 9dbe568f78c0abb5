'use client';

import { bytesSize, type FleetHost, formatHostLabels, timeAgo } from '@stevedore/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { AgentInstallPanel } from '~/components/agent-install-panel';
import { DataTable, rowClass } from '~/components/data-table';
import { HostForm } from '~/components/host-form';
import { useToast } from '~/components/toasts';
import { Button, ErrorNote, SecondaryButton, StateBadge } from '~/components/ui';
import { UsageMeter } from '~/components/usage-meter';
import { useFleet } from '~/components/use-fleet';
import { useTRPC } from '~/trpc/react';

const percent = (used: number, total: number) => (total > 0 ? (used / total) * 100 : 0);
const stateOrder: Record<string, number> = { offline: 0, degraded: 1, connecting: 2, online: 3 };

const sorts = {
  name: { label: 'Name', key: (h: FleetHost) => h.name },
  state: { label: 'State (problems first)', key: (h: FleetHost) => stateOrder[h.status.state] ?? 9 },
  cpu: { label: 'CPU (busiest first)', key: (h: FleetHost) => -(h.usage?.cpuPercent ?? -1) },
  memory: {
    label: 'Memory (fullest first)',
    key: (h: FleetHost) => -(h.usage ? percent(h.usage.memUsed, h.usage.memTotal) : -1),
  },
  disk: {
    label: 'Disk (fullest first)',
    key: (h: FleetHost) => -(h.usage ? percent(h.usage.diskUsed, h.usage.diskTotal) : -1),
  },
  containers: { label: 'Running containers', key: (h: FleetHost) => -(h.agent?.containersRunning ?? -1) },
} as const;
type SortKey = keyof typeof sorts;

function byKey(sort: SortKey) {
  const key = sorts[sort].key as (host: FleetHost) => string | number;
  return (a: FleetHost, b: FleetHost) => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -1 : x > y ? 1 : a.name.localeCompare(b.name);
  };
}

const labelPairs = (host: FleetHost) => Object.entries(host.labels).map(([k, v]) => (v ? `${k}=${v}` : k));

export default function HostsPage() {
  const trpc = useTRPC();
  const fleet = useFleet();
  const me = useQuery(trpc.auth.status.queryOptions());
  const isAdmin = me.data?.user?.role === 'admin';
  const [editing, setEditing] = useState<FleetHost | 'new' | null>(null);
  const [search, setSearch] = useState('');
  const [label, setLabel] = useState('');
  const [sort, setSort] = useState<SortKey>('name');
  const [upgrade, setUpgrade] = useState<{ jobId: string; host: string } | null>(null);

  const allLabels = useMemo(
    () => [...new Set((fleet.hosts ?? []).flatMap(labelPairs))].sort(),
    [fleet.hosts],
  );
  const hosts = useMemo(() => {
    const term = search.trim().toLowerCase();
    return (fleet.hosts ?? [])
      .filter(
        (host) =>
          (!term ||
            host.name.toLowerCase().includes(term) ||
            host.address.toLowerCase().includes(term) ||
            formatHostLabels(host.labels).toLowerCase().includes(term)) &&
          (!label || labelPairs(host).includes(label)),
      )
      .sort(byKey(sort));
  }, [fleet.hosts, search, label, sort]);
  const online = (fleet.hosts ?? []).filter((h) => h.status.state === 'online').length;

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">Hosts</h1>
        {fleet.hosts && (
          <span className="text-sm text-slate-500" data-testid="fleet-summary">
            {online} of {fleet.hosts.length} online
          </span>
        )}
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <input
            type="search"
            aria-label="Search hosts"
            placeholder="Search hosts"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="w-48 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900"
          />
          <select
            aria-label="Filter by label"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="">All labels</option>
            {allLabels.map((pair) => (
              <option key={pair} value={pair}>
                {pair}
              </option>
            ))}
          </select>
          <select
            aria-label="Sort hosts"
            value={sort}
            onChange={(e) => setSort(e.target.value as SortKey)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900"
          >
            {Object.entries(sorts).map(([value, { label: text }]) => (
              <option key={value} value={value}>
                Sort: {text}
              </option>
            ))}
          </select>
          {isAdmin && editing === null && <Button onClick={() => setEditing('new')}>Add host</Button>}
        </div>
      </div>
      {editing !== null && (
        <HostForm
          key={editing === 'new' ? 'new' : editing.id}
          {...(editing === 'new' ? {} : { host: editing })}
          onDone={() => setEditing(null)}
        />
      )}
      {upgrade && (
        <AgentInstallPanel
          key={upgrade.jobId}
          jobId={upgrade.jobId}
          title={`Upgrading the agent on ${upgrade.host}`}
          onClose={() => setUpgrade(null)}
        />
      )}
      {fleet.error && <ErrorNote>{fleet.error}</ErrorNote>}
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
          ...(isAdmin ? [''] : []),
        ]}
      >
        {fleet.hosts === null && (
          <tr>
            <td colSpan={9} className="px-4 py-6 text-slate-500">
              Loading…
            </td>
          </tr>
        )}
        {fleet.hosts !== null && hosts.length === 0 && (
          <tr>
            <td colSpan={9} className="px-4 py-6 text-slate-500">
              {search || label ? 'No host matches.' : 'No hosts yet.'}
            </td>
          </tr>
        )}
        {hosts.map((host) => (
          <HostRow
            key={host.id}
            host={host}
            isAdmin={isAdmin}
            onEdit={() => setEditing(host)}
            onUpgrade={(jobId) => setUpgrade({ jobId, host: host.name })}
          />
        ))}
      </DataTable>
    </section>
  );
}

function HostRow({
  host,
  isAdmin,
  onEdit,
  onUpgrade,
}: {
  host: FleetHost;
  isAdmin: boolean;
  onEdit(): void;
  onUpgrade(jobId: string): void;
}) {
  const { agent, usage, status } = host;
  const lastError = status.lastError ?? host.error;
  return (
    <tr data-testid={`host-row-${host.name}`} className={`${rowClass} align-top`}>
      <td className="px-4 py-3">
        {/* No prefetch: with 50 rows it would ask the server for 50 host pages on every visit. */}
        <Link
          href={`/hosts/${host.id}`}
          prefetch={false}
          className="font-medium text-sky-700 hover:underline dark:text-sky-400"
        >
          {host.name}
        </Link>
        <div className="mt-0.5 max-w-56 truncate font-mono text-xs text-slate-500" title={host.address}>
          {host.address}
        </div>
        <div className="mt-1 flex flex-wrap gap-1" data-testid="host-labels">
          {labelPairs(host).map((pair) => (
            <span
              key={pair}
              className="rounded bg-slate-100 px-1.5 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300"
            >
              {pair}
            </span>
          ))}
        </div>
      </td>
      <td className="w-32 px-4 py-3">
        <StateBadge state={status.state} />
        {lastError && status.state !== 'online' && (
          <div className="mt-1 max-w-48 truncate text-xs text-slate-500" title={lastError}>
            {lastError}
          </div>
        )}
        {status.state !== 'online' && status.lastSeen && (
          <div className="text-xs text-slate-500">seen {timeAgo(status.lastSeen)}</div>
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
      <td className="w-36 px-4 py-3" data-testid="host-cpu">
        {usage ? (
          <UsageMeter percent={usage.cpuPercent} label={`${usage.cpuPercent.toFixed(0)}% of ${usage.ncpu}`} />
        ) : (
          '—'
        )}
      </td>
      <td className="w-36 px-4 py-3" data-testid="host-memory">
        {usage ? (
          <UsageMeter
            percent={percent(usage.memUsed, usage.memTotal)}
            label={`${bytesSize(usage.memUsed)} / ${bytesSize(usage.memTotal)}`}
          />
        ) : (
          '—'
        )}
      </td>
      <td className="w-36 px-4 py-3" data-testid="host-disk">
        {usage ? (
          <UsageMeter
            percent={percent(usage.diskUsed, usage.diskTotal)}
            label={`${bytesSize(usage.diskUsed)} / ${bytesSize(usage.diskTotal)}`}
          />
        ) : (
          '—'
        )}
      </td>
      <td className="px-4 py-3 text-xs tabular-nums" data-testid="host-containers">
        {agent ? `${agent.containersRunning} running · ${agent.containersStopped} stopped` : '—'}
      </td>
      <td className="px-4 py-3 text-xs tabular-nums" data-testid="host-images">
        {agent ? `${agent.images} · ${bytesSize(agent.imagesSize)}` : '—'}
      </td>
      {isAdmin && (
        <td className="px-4 py-3 text-right">
          <div className="flex justify-end gap-1">
            <SecondaryButton className="px-2 py-1 text-xs" onClick={onEdit} aria-label={`Edit ${host.name}`}>
              Edit
            </SecondaryButton>
            {host.transport === 'ssh' && <UpgradeAgentButton host={host} onStarted={onUpgrade} />}
            {host.name !== 'local' && <RemoveHostButton host={host} />}
          </div>
        </td>
      )}
    </tr>
  );
}

function RemoveHostButton({ host }: { host: FleetHost }) {
  const trpc = useTRPC();
  const toast = useToast();
  const remove = useMutation(
    trpc.hosts.remove.mutationOptions({
      onSuccess: () => toast.success(`Host ${host.name} removed`),
      onError: (error) => toast.error(`Removing ${host.name} failed: ${error.message}`),
    }),
  );
  return (
    <SecondaryButton
      className="px-2 py-1 text-xs"
      aria-label={`Remove ${host.name}`}
      disabled={remove.isPending}
      onClick={() => {
        if (window.confirm(`Remove host ${host.name} from the dashboard? The agent keeps running.`))
          remove.mutate({ hostId: host.id });
      }}
    >
      Remove
    </SecondaryButton>
  );
}

function UpgradeAgentButton({ host, onStarted }: { host: FleetHost; onStarted(jobId: string): void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const start = useMutation(
    trpc.hosts.installAgent.mutationOptions({
      onSuccess: ({ jobId }) => onStarted(jobId),
      onError: (error) => toast.error(`Upgrading ${host.name} failed: ${error.message}`),
    }),
  );
  return (
    <SecondaryButton
      className="px-2 py-1 text-xs"
      aria-label={`Upgrade the agent on ${host.name}`}
      disabled={start.isPending}
      onClick={() => start.mutate({ target: { hostId: host.id } })}
    >
      Upgrade agent
    </SecondaryButton>
  );
}
