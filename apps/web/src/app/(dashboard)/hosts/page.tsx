'use client';

import { bytesSize, type FleetHost, formatHostLabels, timeAgo } from '@stevedore/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { memo, type ReactNode, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { AgentInstallPanel } from '~/components/agent-install-panel';
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

/** From `lg` up the list is a table; below it each host is a card (see HostRow). */
const gridOf = (isAdmin: boolean) =>
  isAdmin
    ? 'lg:grid lg:grid-cols-[minmax(0,1.5fr)_6.5rem_minmax(0,1fr)_8rem_8rem_8rem_minmax(0,1fr)_6.5rem] lg:gap-3'
    : 'lg:grid lg:grid-cols-[minmax(0,1.5fr)_6.5rem_minmax(0,1fr)_8rem_8rem_8rem_minmax(0,1fr)] lg:gap-3';

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
  // Stable, so a row re-renders only when its own host changed.
  const onEdit = useCallback((host: FleetHost) => setEditing(host), []);
  const onUpgrade = useCallback(
    (host: FleetHost, jobId: string) => setUpgrade({ jobId, host: host.name }),
    [],
  );

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
      <div
        data-testid="hosts-list"
        className="rounded-lg border border-slate-200 bg-white text-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <div
          aria-hidden
          className={`hidden border-b border-slate-200 px-4 py-3 text-xs font-medium uppercase text-slate-500 dark:border-slate-800 ${gridOf(isAdmin)}`}
        >
          <span>Name</span>
          <span>State</span>
          <span>Agent</span>
          <span>CPU</span>
          <span>Memory</span>
          <span>Disk (data-root)</span>
          <span>Containers · images</span>
          {isAdmin && <span />}
        </div>
        {fleet.hosts === null && <p className="px-4 py-6 text-slate-500">Loading…</p>}
        {fleet.hosts !== null && hosts.length === 0 && (
          <p className="px-4 py-6 text-slate-500">
            {search || label
              ? 'No host matches.'
              : isAdmin
                ? 'No hosts yet: add one with "Add host".'
                : 'No hosts yet: an admin adds them.'}
          </p>
        )}
        <HostRows hosts={hosts} isAdmin={isAdmin} onEdit={onEdit} onUpgrade={onUpgrade} />
      </div>
    </section>
  );
}

/** A first guess at a row's height before it is measured: a table row from `lg` up, a card below. */
const estimateRowHeight = () =>
  typeof window !== 'undefined' && window.matchMedia('(min-width: 1024px)').matches ? 84 : 260;

/**
 * Only the rows on screen (and a few either side) are in the DOM: with 500 hosts the page renders ~30.
 * Rows differ in height (labels, errors, cards at 390 px), so each is measured once rendered.
 */
function HostRows({
  hosts,
  isAdmin,
  onEdit,
  onUpgrade,
}: {
  hosts: FleetHost[];
  isAdmin: boolean;
  onEdit(host: FleetHost): void;
  onUpgrade(host: FleetHost, jobId: string): void;
}) {
  const list = useRef<HTMLUListElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  // The forms above the list (add/edit host, an upgrade's progress) move it; re-measured after each render.
  useLayoutEffect(() => {
    const top = list.current ? list.current.getBoundingClientRect().top + window.scrollY : 0;
    setScrollMargin((old) => (Math.abs(old - top) < 1 ? old : top));
  });
  const virtualizer = useWindowVirtualizer({
    count: hosts.length,
    estimateSize: estimateRowHeight,
    overscan: 8,
    scrollMargin,
    getItemKey: (index) => hosts[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items.length > 0 ? (items[0]?.start ?? 0) - scrollMargin : 0;
  const padBottom =
    items.length > 0 ? virtualizer.getTotalSize() - ((items.at(-1)?.end ?? 0) - scrollMargin) : 0;
  return (
    // data-live: the rows whose host is online with its usage, shown or not (a virtualised list
    // has only some in the DOM; benchmarks and tests read when all are).
    <ul
      ref={list}
      data-testid="hosts-rows"
      data-total={hosts.length}
      data-live={hosts.filter((host) => host.status.state === 'online' && host.usage).length}
    >
      {padTop > 0 && <li aria-hidden style={{ height: padTop }} />}
      {items.map((item) => {
        const host = hosts[item.index];
        return host ? (
          <HostRow
            key={host.id}
            index={item.index}
            measure={virtualizer.measureElement}
            host={host}
            isAdmin={isAdmin}
            onEdit={onEdit}
            onUpgrade={onUpgrade}
          />
        ) : null;
      })}
      {padBottom > 0 && <li aria-hidden style={{ height: padBottom }} />}
    </ul>
  );
}

const HostRow = memo(function HostRow({
  index,
  measure,
  host,
  isAdmin,
  onEdit,
  onUpgrade,
}: {
  index: number;
  measure(element: Element | null): void;
  host: FleetHost;
  isAdmin: boolean;
  onEdit(host: FleetHost): void;
  onUpgrade(host: FleetHost, jobId: string): void;
}) {
  const { agent, usage, status } = host;
  const lastError = status.lastError ?? host.error;
  return (
    <li
      ref={measure}
      data-index={index}
      data-testid={`host-row-${host.name}`}
      className={`grid grid-cols-2 gap-x-4 gap-y-3 border-b border-slate-100 px-4 py-3 last:border-0 sm:grid-cols-3 dark:border-slate-800 ${gridOf(isAdmin)}`}
    >
      <div className="col-span-2 min-w-0 sm:col-span-3 lg:col-span-1">
        {/* No prefetch: with 50 rows it would ask the server for 50 host pages on every visit. */}
        <Link
          href={`/hosts/${host.id}`}
          prefetch={false}
          className="font-medium text-sky-700 hover:underline dark:text-sky-400"
        >
          {host.name}
        </Link>
        <div className="mt-0.5 truncate font-mono text-xs text-slate-500" title={host.address}>
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
      </div>
      <Cell label="State">
        <StateBadge state={status.state} />
        {lastError && status.state !== 'online' && (
          <div className="mt-1 truncate text-xs text-slate-500" title={lastError}>
            {lastError}
          </div>
        )}
        {status.state !== 'online' && status.lastSeen && (
          <div className="text-xs text-slate-500">seen {timeAgo(status.lastSeen)}</div>
        )}
      </Cell>
      <Cell label="Agent" className="text-xs" testId="host-agent">
        {agent ? (
          <>
            <div className="truncate">Stevedore {agent.version}</div>
            <div className="truncate text-slate-500">
              {agent.runtime} · cgroup v{agent.cgroupVersion}
            </div>
          </>
        ) : (
          '—'
        )}
      </Cell>
      <Cell label="CPU" testId="host-cpu">
        {usage ? (
          <UsageMeter percent={usage.cpuPercent} label={`${usage.cpuPercent.toFixed(0)}% of ${usage.ncpu}`} />
        ) : (
          '—'
        )}
      </Cell>
      <Cell label="Memory" testId="host-memory">
        {usage ? (
          <UsageMeter
            percent={percent(usage.memUsed, usage.memTotal)}
            label={`${bytesSize(usage.memUsed)} / ${bytesSize(usage.memTotal)}`}
          />
        ) : (
          '—'
        )}
      </Cell>
      <Cell label="Disk (data-root)" testId="host-disk">
        {usage ? (
          <UsageMeter
            percent={percent(usage.diskUsed, usage.diskTotal)}
            label={`${bytesSize(usage.diskUsed)} / ${bytesSize(usage.diskTotal)}`}
          />
        ) : (
          '—'
        )}
      </Cell>
      <Cell label="Containers · images" className="text-xs tabular-nums">
        <div data-testid="host-containers">
          {agent ? `${agent.containersRunning} running · ${agent.containersStopped} stopped` : '—'}
        </div>
        <div data-testid="host-images" className="text-slate-500">
          {agent ? `${agent.images} · ${bytesSize(agent.imagesSize)}` : '—'}
        </div>
      </Cell>
      {isAdmin && (
        <div className="col-span-2 flex flex-wrap gap-1 sm:col-span-3 lg:col-span-1 lg:flex-col lg:items-stretch">
          <SecondaryButton
            className="px-2 py-1 text-xs"
            onClick={() => onEdit(host)}
            aria-label={`Edit ${host.name}`}
          >
            Edit
          </SecondaryButton>
          {host.transport === 'ssh' && (
            <UpgradeAgentButton host={host} onStarted={(jobId) => onUpgrade(host, jobId)} />
          )}
          {host.name !== 'local' && <RemoveHostButton host={host} />}
        </div>
      )}
    </li>
  );
});

/** One figure of a host: a column of the table from `lg` up, a labelled tile of the card below it. */
function Cell({
  label,
  className = '',
  testId,
  children,
}: {
  label: string;
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <div className={`min-w-0 ${className}`} {...(testId ? { 'data-testid': testId } : {})}>
      <div className="mb-1 text-[11px] font-medium uppercase text-slate-500 lg:hidden">{label}</div>
      {children}
    </div>
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
