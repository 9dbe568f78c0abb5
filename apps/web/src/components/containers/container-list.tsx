'use client';

import type { BulkContainerResult, ContainerAction } from '@stevedore/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  createColumnHelper,
  createSortedRowModel,
  type RowSelectionState,
  rowSelectionFeature,
  rowSortingFeature,
  type SortingState,
  sortFn_alphanumeric,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { useToast } from '../toasts';
import { ErrorNote } from '../ui';
import { BulkBar, BulkResults, ConfirmAction, DESTRUCTIVE, type PendingAction } from './container-bulk-bar';
import { uptimeMs } from './container-cells';
import { type ContainerFilters, ContainerToolbar, matchesFilters, NO_FILTERS } from './container-filters';
import { cellOf } from './container-row-cells';
import { type ContainersFirstScreen, firstScreenRect } from './fleet-first-screen';
import { type ContainerListRow, useContainerFleet } from './use-container-fleet';

const features = tableFeatures({
  rowSortingFeature,
  rowSelectionFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric },
});
const column = createColumnHelper<typeof features, ContainerListRow>();

/** Which columns a narrow screen hides, and how cells align. */
const columnClass: Record<string, string> = {
  select: 'w-8',
  host: 'hidden md:table-cell',
  image: 'hidden lg:table-cell',
  uptime: 'hidden md:table-cell',
  ports: 'hidden lg:table-cell',
  cpu: 'text-right',
  memory: 'hidden sm:table-cell',
  network: 'hidden xl:table-cell',
  actions: 'hidden md:table-cell text-right',
};

const ROW_HEIGHT = 49;
const USAGE_COLUMNS = new Set(['cpu', 'memory', 'network']);

/** Every container of the fleet (or of one host), live, with filters, sorting and bulk actions. */
export function ContainerList({ hostId, first }: { hostId?: string; first?: ContainersFirstScreen | null }) {
  const trpc = useTRPC();
  const { rows, usageVersion, loadingHosts, error, live } = useContainerFleet(hostId, first?.screen);
  const operable = useQuery(
    trpc.containers.fleet.operable.queryOptions(undefined, first ? { initialData: first.operable } : {}),
  );
  const canOperate = (id: string) =>
    !!operable.data && (operable.data.all || operable.data.hostIds.includes(id));
  const anyOperable = !!operable.data && (operable.data.all || operable.data.hostIds.length > 0);
  const [filters, setFilters] = useState<ContainerFilters>(NO_FILTERS);
  const deferredFilters = useDeferredValue(filters);
  const [sorting, setSorting] = useState<SortingState>([]);
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [last, setLast] = useState<{
    action: ContainerAction;
    results: BulkContainerResult[];
    names: Map<string, string>;
  } | null>(null);
  const bulk = useMutation(trpc.containers.fleet.bulk.mutationOptions());
  const toast = useToast();

  const filtered = useMemo(
    () => (rows ?? []).filter((row) => matchesFilters(row, deferredFilters)),
    [rows, deferredFilters],
  );
  // Sorted by a usage figure, the order changes with each tick: a new array makes the table re-sort.
  // Otherwise the row model stays as it is and only the visible rows re-render with new figures.
  const byUsage = sorting.some((sort) => USAGE_COLUMNS.has(sort.id));
  // biome-ignore lint/correctness/useExhaustiveDependencies: usageVersion is the signal to re-sort
  const visible = useMemo(
    () => (byUsage ? [...filtered] : filtered),
    [filtered, byUsage, byUsage && usageVersion],
  );
  // Rendered from the server's first screen: uptimes against the server's clock until hydrated (same text both sides).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const now = first && !hydrated ? first.screen.at : Date.now();
  // Until the live snapshot comes, the rows are the first screen's: the counts are the server's.
  const firstOnly = first && !live ? first.screen : null;
  const columns = useMemo(
    () =>
      column.columns([
        column.display({
          id: 'select',
          header: ({ table }) => (
            <input
              type="checkbox"
              aria-label="Select all shown containers"
              className="size-4 accent-sky-600"
              checked={table.getIsAllRowsSelected()}
              ref={(el) => {
                if (el) el.indeterminate = table.getIsSomeRowsSelected() && !table.getIsAllRowsSelected();
              }}
              onChange={table.getToggleAllRowsSelectedHandler()}
            />
          ),
          cell: ({ row }) =>
            row.getCanSelect() ? (
              <input
                type="checkbox"
                aria-label={`Select ${row.original.name}`}
                className="size-4 accent-sky-600"
                checked={row.getIsSelected()}
                onChange={row.getToggleSelectedHandler()}
              />
            ) : null,
        }),
        column.accessor('hostName', { id: 'host', header: 'Host', sortFn: 'alphanumeric' }),
        column.accessor('name', { id: 'name', header: 'Name', sortFn: 'alphanumeric' }),
        column.accessor('image', { id: 'image', header: 'Image', sortFn: 'alphanumeric' }),
        column.accessor('state', { id: 'state', header: 'State', sortFn: 'alphanumeric' }),
        // Minus the start time orders by uptime without depending on the clock (stable columns).
        column.accessor(
          (row) => (uptimeMs(row, 0) === null ? Number.NEGATIVE_INFINITY : -Date.parse(row.startedAt ?? '')),
          {
            id: 'uptime',
            header: 'Uptime',
          },
        ),
        column.accessor((row) => row.ports[0]?.publicPort ?? 0, { id: 'ports', header: 'Ports' }),
        column.accessor((row) => row.usage?.cpuPercent ?? -1, {
          id: 'cpu',
          header: 'CPU',
          sortDescFirst: true,
        }),
        column.accessor((row) => row.usage?.memoryUsage ?? -1, {
          id: 'memory',
          header: 'Memory',
          sortDescFirst: true,
        }),
        column.accessor((row) => (row.usage ? row.usage.rxRate + row.usage.txRate : -1), {
          id: 'network',
          header: 'Network',
          sortDescFirst: true,
        }),
        column.display({ id: 'actions', header: '' }),
      ]),
    [],
  );
  const table = useTable({
    features,
    columns,
    data: visible,
    getRowId: (row) => row.key,
    state: { sorting, rowSelection },
    onSortingChange: setSorting,
    onRowSelectionChange: setRowSelection,
    // An offline host's rows are its last known list: nothing can be done to them until it is back.
    enableRowSelection: (row) => !row.original.hostOffline && canOperate(row.original.hostId),
    autoResetSorting: false,
  });
  const tableRows = table.getRowModel().rows;
  const shownColumns = table
    .getAllLeafColumns()
    .filter(
      (c) => !(c.id === 'host' && hostId) && !((c.id === 'select' || c.id === 'actions') && !anyOperable),
    );

  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  // What lies above the table (filters, the bulk bar, results) moves it; re-measured after each render.
  useLayoutEffect(() => {
    setScrollMargin(body.current ? body.current.getBoundingClientRect().top + window.scrollY : 0);
  });
  const virtualizer = useWindowVirtualizer({
    count: tableRows.length,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin,
    ...(first
      ? { initialRect: firstScreenRect(first.screen.rows.length, ROW_HEIGHT), initialOffset: 0 }
      : {}),
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items.length > 0 ? (items[0]?.start ?? 0) - scrollMargin : 0;
  const padBottom =
    items.length > 0 ? virtualizer.getTotalSize() - ((items.at(-1)?.end ?? 0) - scrollMargin) : 0;

  const rowByKey = useMemo(() => new Map((rows ?? []).map((row) => [row.key, row])), [rows]);
  const selected = Object.keys(rowSelection)
    .map((key) => rowByKey.get(key))
    .filter((row): row is ContainerListRow => !!row && canOperate(row.hostId));

  // Rows with an action under way; other rows stay actionable meanwhile.
  const [busyKeys, setBusyKeys] = useState<ReadonlySet<string>>(new Set());
  const markBusy = (keys: string[], busy: boolean) =>
    setBusyKeys((old) => {
      const next = new Set(old);
      for (const key of keys) busy ? next.add(key) : next.delete(key);
      return next;
    });
  const run = async (action: ContainerAction, targets: ContainerListRow[]) => {
    const names = new Map(targets.map((row) => [`${row.hostId}/${row.id}`, `${row.hostName}/${row.name}`]));
    const keys = targets.map((row) => row.key);
    markBusy(keys, true);
    try {
      const results = await bulk.mutateAsync({
        action,
        targets: targets.map((row) => ({ hostId: row.hostId, container: row.id })),
        force: action === 'remove',
      });
      const [only] = results;
      if (results.length === 1 && only && targets.length === 1) {
        // One container (a row's own button): a toast says how it went.
        if (only.ok) toast.success(`${action}: ${targets[0]?.name}`);
        else toast.error(`${action} ${targets[0]?.name}: ${only.error}`);
        return;
      }
      setLast({ action, results, names });
      if (results.every((result) => result.ok) && action === 'remove') setRowSelection({});
    } catch (failure) {
      const error = failure instanceof Error ? failure.message : String(failure);
      setLast({
        action,
        names,
        results: targets.map((row) => ({ hostId: row.hostId, container: row.id, ok: false, error })),
      });
    } finally {
      markBusy(keys, false);
    }
  };
  const ask = (action: ContainerAction, targets: ContainerListRow[]) => {
    if (targets.length === 0) return;
    if (DESTRUCTIVE.has(action)) setPending({ action, rows: targets });
    else void run(action, targets);
  };

  const hostCount = firstOnly?.hosts ?? new Set((rows ?? []).map((row) => row.hostId)).size;
  const total = firstOnly?.total ?? rows?.length ?? 0;
  const colSpan = shownColumns.length;
  return (
    <section className="space-y-3" aria-label="Containers">
      <ContainerToolbar
        rows={rows ?? []}
        filters={filters}
        onChange={setFilters}
        showHost={!hostId}
        runHref={anyOperable ? `/containers/new${hostId ? `?host=${encodeURIComponent(hostId)}` : ''}` : null}
      />
      {error && <ErrorNote>{error}</ErrorNote>}
      {anyOperable && selected.length > 0 && (
        <BulkBar
          count={selected.length}
          busy={bulk.isPending}
          onAction={(action) => ask(action, selected)}
          onClear={() => setRowSelection({})}
        />
      )}
      {last && (
        <BulkResults
          action={last.action}
          results={last.results}
          nameOf={(result) => last.names.get(`${result.hostId}/${result.container}`) ?? result.container}
          onDismiss={() => setLast(null)}
        />
      )}
      <p
        className="text-xs text-slate-500"
        data-testid="containers-count"
        data-total={total}
        data-live={live ? '' : undefined}
      >
        {rows === null
          ? 'Loading containers…'
          : `${firstOnly ? total : visible.length} of ${total} containers${hostId ? '' : ` on ${hostCount} ${hostCount === 1 ? 'host' : 'hosts'}`}`}
        {rows !== null && loadingHosts > 0 && (
          <span data-testid="containers-loading">
            {' '}
            · loading{' '}
            {hostId
              ? 'the host’s containers'
              : `${loadingHosts} more ${loadingHosts === 1 ? 'host' : 'hosts'}`}
            …
          </span>
        )}
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="min-w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-800">
            <tr>
              {table
                .getHeaderGroups()[0]
                ?.headers.filter((header) => shownColumns.includes(header.column))
                .map((header) => {
                  const sorted = header.column.getIsSorted();
                  const sortable =
                    header.column.getCanSort() && header.id !== 'select' && header.id !== 'actions';
                  return (
                    <th
                      key={header.id}
                      className={`px-2 py-2 sm:px-3 ${columnClass[header.id] ?? ''}`}
                      aria-sort={
                        sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined
                      }
                    >
                      {sortable ? (
                        <button
                          type="button"
                          onClick={header.column.getToggleSortingHandler()}
                          className="inline-flex items-center gap-1 rounded uppercase hover:text-slate-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:text-white"
                        >
                          <table.FlexRender header={header} />
                          <span aria-hidden="true">
                            {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                          </span>
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
            </tr>
          </thead>
          <tbody ref={body}>
            {rows !== null && tableRows.length === 0 && loadingHosts === 0 && (
              <tr>
                <td
                  colSpan={colSpan}
                  className="px-4 py-8 text-center text-slate-500"
                  data-testid="containers-empty"
                >
                  {rows.length === 0 ? (
                    <>
                      No containers {hostId ? 'on this host' : 'on any online host'} yet.{' '}
                      {anyOperable ? (
                        <Link href="/containers/new" className="text-sky-700 underline dark:text-sky-300">
                          Run a container
                        </Link>
                      ) : (
                        'An operator can run one from the Containers page.'
                      )}
                      {!hostId && ' Hosts that are offline are not listed; see Hosts.'}
                    </>
                  ) : (
                    <>
                      No container matches these filters.{' '}
                      <button
                        type="button"
                        className="text-sky-700 underline dark:text-sky-300"
                        onClick={() => setFilters(NO_FILTERS)}
                      >
                        Clear the filters
                      </button>
                    </>
                  )}
                </td>
              </tr>
            )}
            {padTop > 0 && (
              <tr>
                <td colSpan={colSpan} style={{ height: padTop, padding: 0 }} />
              </tr>
            )}
            {items.map((item) => {
              const row = tableRows[item.index];
              if (!row) return null;
              const data = row.original;
              return (
                <tr
                  key={row.id}
                  data-index={item.index}
                  data-testid={`container-row-${data.name}`}
                  data-host={data.hostName}
                  data-host-offline={data.hostOffline ? '' : undefined}
                  className={`border-b border-slate-100 last:border-0 dark:border-slate-800 ${row.getIsSelected() ? 'bg-sky-50 dark:bg-sky-950/40' : ''} ${data.hostOffline ? 'opacity-60' : ''}`}
                  style={{ height: ROW_HEIGHT }}
                >
                  {shownColumns.map((c) => (
                    <td key={c.id} className={`px-2 py-1.5 sm:px-3 ${columnClass[c.id] ?? ''}`}>
                      {cellOf(
                        c.id,
                        data,
                        now,
                        row,
                        !data.hostOffline && canOperate(data.hostId),
                        busyKeys.has(data.key),
                        ask,
                      )}
                    </td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr>
                <td colSpan={colSpan} style={{ height: padBottom, padding: 0 }} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <ConfirmAction
        pending={pending}
        onCancel={() => setPending(null)}
        onConfirm={(confirmed) => {
          setPending(null);
          void run(confirmed.action, confirmed.rows);
        }}
      />
    </section>
  );
}
