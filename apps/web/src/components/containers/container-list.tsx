'use client';

import type { BulkContainerResult, ContainerAction, ContainerSort, FleetContainer } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { useToast } from '../toasts';
import { ErrorNote } from '../ui';
import { BulkBar, BulkResults, ConfirmAction, DESTRUCTIVE, type PendingAction } from './container-bulk-bar';
import { type ContainerFilters, ContainerToolbar, NO_FILTERS } from './container-filters';
import { cellOf } from './container-row-cells';
import { nextWindow, WINDOW_MARGIN } from './container-window-state';
import { type ContainersFirstScreen, firstScreenRect } from './fleet-first-screen';
import type { ContainerListRow } from './fleet-update';
import { useContainerWindow, type WindowRequest } from './use-container-window';

interface ListColumn {
  id: string;
  header: string;
  /** Sortable on the server; usage figures sort descending first. */
  sort?: 'text' | 'figure';
}
const COLUMNS: ListColumn[] = [
  { id: 'select', header: '' },
  { id: 'host', header: 'Host', sort: 'text' },
  { id: 'name', header: 'Name', sort: 'text' },
  { id: 'image', header: 'Image', sort: 'text' },
  { id: 'state', header: 'State', sort: 'text' },
  { id: 'uptime', header: 'Uptime', sort: 'text' },
  { id: 'ports', header: 'Ports', sort: 'text' },
  { id: 'cpu', header: 'CPU', sort: 'figure' },
  { id: 'memory', header: 'Memory', sort: 'figure' },
  { id: 'network', header: 'Network', sort: 'figure' },
  { id: 'actions', header: '' },
];

/** Ascending (descending first for figures), the other way, then the list's own order. */
function nextSort(sort: ContainerSort | null, column: ListColumn): ContainerSort | null {
  const descFirst = column.sort === 'figure';
  const id = column.id as ContainerSort['id'];
  if (sort?.id !== id) return { id, desc: descFirst };
  if (sort.desc === descFirst) return { id, desc: !descFirst };
  return null;
}

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

/**
 * Every container of the fleet (or of one host), live, with filters, sorting and bulk actions. The
 * server filters and sorts the whole list and sends only the rows on screen (and some either side):
 * scrolling, filtering and sorting move that window.
 */
export function ContainerList({ hostId, first }: { hostId?: string; first?: ContainersFirstScreen | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const operable = useQuery(
    trpc.containers.fleet.operable.queryOptions(undefined, first ? { initialData: first.operable } : {}),
  );
  const canOperate = (id: string) =>
    !!operable.data && (operable.data.all || operable.data.hostIds.includes(id));
  const anyOperable = !!operable.data && (operable.data.all || operable.data.hostIds.length > 0);
  const [filters, setFilters] = useState<ContainerFilters>(NO_FILTERS);
  const deferredFilters = useDeferredValue(filters);
  const [sort, setSort] = useState<ContainerSort | null>(null);
  const [range, setRange] = useState(() => ({
    start: 0,
    end: Math.max(first?.screen.rows.length ?? 0, 20) + WINDOW_MARGIN,
  }));
  const request = useMemo<WindowRequest>(
    () => ({ filters: deferredFilters, sort, ...range }),
    [deferredFilters, sort, range],
  );
  const { state, rows, usageVersion, error, live } = useContainerWindow(hostId, first?.screen, request);
  // A new filter or sort starts at the top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on a change of filters or sort only
  useEffect(() => {
    setRange((old) => ({ start: 0, end: old.end - old.start }));
    window.scrollTo({ top: 0 });
  }, [deferredFilters, sort]);
  /** Selected rows by key, as last seen (a window's current row replaces its entry when shown). */
  const [selection, setSelection] = useState<ReadonlyMap<string, FleetContainer>>(new Map());
  const [allMatching, setAllMatching] = useState(false);
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [last, setLast] = useState<{
    action: ContainerAction;
    results: BulkContainerResult[];
    names: Map<string, string>;
  } | null>(null);
  const bulk = useMutation(trpc.containers.fleet.bulk.mutationOptions());
  const toast = useToast();

  // Rendered from the server's first screen: uptimes against the server's clock until hydrated (same text both sides).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const now = first && !hydrated ? first.screen.at : Date.now();
  void usageVersion; // a usage tick re-renders the window's cells (their `usage` reads the live figures)

  const shownColumns = COLUMNS.filter(
    (c) => !(c.id === 'host' && hostId) && !((c.id === 'select' || c.id === 'actions') && !anyOperable),
  );

  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  // What lies above the table (filters, the bulk bar, results) moves it; re-measured after each render.
  useLayoutEffect(() => {
    setScrollMargin(body.current ? body.current.getBoundingClientRect().top + window.scrollY : 0);
  });
  const virtualizer = useWindowVirtualizer({
    count: state.matching,
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
  // The rows on screen move the window the server sends (only when they near its edge).
  const firstShown = items[0]?.index ?? 0;
  const lastShown = (items.at(-1)?.index ?? -1) + 1;
  useEffect(() => {
    setRange((asked) => nextWindow(asked, { from: firstShown, to: lastShown }, state.matching) ?? asked);
  }, [firstShown, lastShown, state.matching]);

  const rowAt = (index: number): ContainerListRow | null => {
    const key = state.keys[index - state.start];
    return key === undefined ? null : (rows.get(key) ?? null);
  };
  const selectable = (row: FleetContainer) => !row.hostOffline && canOperate(row.hostId);
  const selected: ContainerListRow[] = [...selection.values()]
    .map((row) => rows.get(row.key) ?? { ...row, usage: null })
    .filter((row) => canOperate(row.hostId));
  const toggle = (row: FleetContainer, on: boolean) => {
    setAllMatching(false);
    setSelection((old) => {
      const next = new Map(old);
      if (on) next.set(row.key, row);
      else next.delete(row.key);
      return next;
    });
  };
  const clearSelection = () => {
    setAllMatching(false);
    setSelection(new Map());
  };
  // "Select all": every row the filters match that the user may act on, as the server resolves it.
  const selectAllMatching = async () => {
    try {
      const { rows: matching } = await queryClient.fetchQuery(
        trpc.containers.fleet.matching.queryOptions({
          ...(hostId ? { hostId } : {}),
          filters: deferredFilters,
        }),
      );
      setSelection(new Map(matching.map((row) => [row.key, row])));
      setAllMatching(true);
    } catch (failure) {
      toast.error(
        `Selecting the matching containers failed: ${failure instanceof Error ? failure.message : String(failure)}`,
      );
    }
  };
  // A new filter leaves the selection as it is but no longer "all matching".
  // biome-ignore lint/correctness/useExhaustiveDependencies: on a change of filters only
  useEffect(() => setAllMatching(false), [deferredFilters]);

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
      if (action === 'remove') {
        // Removed containers leave the selection (their rows are gone).
        const gone = new Set(
          results.filter((result) => result.ok).map((result) => `${result.hostId}/${result.container}`),
        );
        setSelection((old) => new Map([...old].filter(([, row]) => !gone.has(`${row.hostId}/${row.id}`))));
      }
      const [only] = results;
      if (results.length === 1 && only && targets.length === 1) {
        // One container (a row's own button): a toast says how it went.
        if (only.ok) toast.success(`${action}: ${targets[0]?.name}`);
        else toast.error(`${action} ${targets[0]?.name}: ${only.error}`);
        return;
      }
      setLast({ action, results, names });
      if (results.every((result) => result.ok) && action === 'remove') clearSelection();
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

  const firstOnly = first && !live ? first.screen : null;
  const hostCount = firstOnly?.hosts ?? state.hosts;
  const total = firstOnly?.total ?? state.total;
  const shownCount = firstOnly ? total : state.matching;
  const loadingHosts = state.loadingHosts;
  const noRowsYet = !first && !live;
  const colSpan = shownColumns.length;
  return (
    <section className="space-y-3" aria-label="Containers">
      <ContainerToolbar
        facets={state.facets}
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
          onClear={clearSelection}
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
        {noRowsYet
          ? 'Loading containers…'
          : `${shownCount} of ${total} containers${hostId ? '' : ` on ${hostCount} ${hostCount === 1 ? 'host' : 'hosts'}`}`}
        {!noRowsYet && loadingHosts > 0 && (
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
              {shownColumns.map((column) => {
                const sorted = sort?.id === column.id ? (sort.desc ? 'desc' : 'asc') : false;
                return (
                  <th
                    key={column.id}
                    className={`px-2 py-2 sm:px-3 ${columnClass[column.id] ?? ''}`}
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  >
                    {column.id === 'select' ? (
                      <input
                        type="checkbox"
                        aria-label="Select all matching containers"
                        className="size-4 accent-sky-600"
                        checked={allMatching && selection.size > 0}
                        ref={(el) => {
                          if (el) el.indeterminate = selection.size > 0 && !allMatching;
                        }}
                        onChange={(event) =>
                          event.target.checked ? void selectAllMatching() : clearSelection()
                        }
                      />
                    ) : column.sort ? (
                      <button
                        type="button"
                        onClick={() => setSort((old) => nextSort(old, column))}
                        className="inline-flex items-center gap-1 rounded uppercase hover:text-slate-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:text-white"
                      >
                        {column.header}
                        <span aria-hidden="true">
                          {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                        </span>
                      </button>
                    ) : (
                      column.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody ref={body}>
            {!noRowsYet && state.matching === 0 && loadingHosts === 0 && (
              <tr>
                <td
                  colSpan={colSpan}
                  className="px-4 py-8 text-center text-slate-500"
                  data-testid="containers-empty"
                >
                  {total === 0 ? (
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
              const data = rowAt(item.index);
              // Not come yet (a scroll past the window): a blank row of the same height.
              if (!data)
                return (
                  <tr
                    key={`pending-${item.index}`}
                    data-index={item.index}
                    className="border-b border-slate-100 last:border-0 dark:border-slate-800"
                    style={{ height: ROW_HEIGHT }}
                  >
                    <td colSpan={colSpan} />
                  </tr>
                );
              const isSelected = selection.has(data.key);
              const row = {
                getCanSelect: () => selectable(data),
                getIsSelected: () => isSelected,
                getToggleSelectedHandler: () => () => toggle(data, !isSelected),
              };
              return (
                <tr
                  key={data.key}
                  data-index={item.index}
                  data-testid={`container-row-${data.name}`}
                  data-host={data.hostName}
                  data-host-offline={data.hostOffline ? '' : undefined}
                  className={`border-b border-slate-100 last:border-0 dark:border-slate-800 ${isSelected ? 'bg-sky-50 dark:bg-sky-950/40' : ''} ${data.hostOffline ? 'opacity-60' : ''}`}
                  style={{ height: ROW_HEIGHT }}
                >
                  {shownColumns.map((c) => (
                    <td key={c.id} className={`px-2 py-1.5 sm:px-3 ${columnClass[c.id] ?? ''}`}>
                      {cellOf(c.id, data, now, row, selectable(data), busyKeys.has(data.key), ask)}
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
