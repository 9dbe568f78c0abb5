'use client';

import { bytesSize, timeAgo } from '@stevedore/shared';
import {
  createColumnHelper,
  createSortedRowModel,
  rowSortingFeature,
  type SortingState,
  sortFn_alphanumeric,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { type ReactNode, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { type ImageTableRow, shortId } from './image-rows';

const features = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric },
});
const column = createColumnHelper<typeof features, ImageTableRow>();

/** Which columns a narrow screen hides. */
const columnClass: Record<string, string> = {
  id: 'hidden sm:table-cell',
  digest: 'hidden xl:table-cell',
  created: 'hidden md:table-cell',
  size: 'text-right',
  usedBy: 'hidden md:table-cell',
  actions: 'text-right',
};

const ROW_HEIGHT = 45;

/** The images of a host, one row per name, sortable, virtualized for hosts with thousands. */
export function ImageTable({
  rows,
  hostId,
  actions,
  empty,
}: {
  rows: ImageTableRow[];
  hostId: string;
  /** The row's action buttons (none for viewers). */
  actions: ((row: ImageTableRow) => ReactNode) | null;
  empty: ReactNode;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('repository', { id: 'repository', header: 'Repository', sortFn: 'alphanumeric' }),
        column.accessor('tag', { id: 'tag', header: 'Tag', sortFn: 'alphanumeric' }),
        column.accessor((row) => row.image.id, { id: 'id', header: 'Image ID' }),
        column.accessor((row) => row.digest ?? '', { id: 'digest', header: 'Digest' }),
        column.accessor((row) => Date.parse(row.image.created), {
          id: 'created',
          header: 'Created',
          sortDescFirst: true,
        }),
        column.accessor((row) => row.image.size, { id: 'size', header: 'Size', sortDescFirst: true }),
        column.accessor((row) => row.image.usedBy.length, {
          id: 'usedBy',
          header: 'Used by',
          sortDescFirst: true,
        }),
        column.display({ id: 'actions', header: '' }),
      ]),
    [],
  );
  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId: (row) => row.key,
    state: { sorting },
    onSortingChange: setSorting,
    autoResetSorting: false,
  });
  const tableRows = table.getRowModel().rows;
  const shown = table.getAllLeafColumns().filter((c) => c.id !== 'actions' || actions);

  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    setScrollMargin(body.current ? body.current.getBoundingClientRect().top + window.scrollY : 0);
  });
  const virtualizer = useWindowVirtualizer({
    count: tableRows.length,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items.length > 0 ? (items[0]?.start ?? 0) - scrollMargin : 0;
  const padBottom =
    items.length > 0 ? virtualizer.getTotalSize() - ((items.at(-1)?.end ?? 0) - scrollMargin) : 0;
  const now = Date.now();

  const cell = (id: string, row: ImageTableRow): ReactNode => {
    switch (id) {
      case 'repository':
        return <span className="break-all font-mono text-xs">{row.repository}</span>;
      case 'tag':
        return <span className="font-mono text-xs">{row.tag}</span>;
      case 'id':
        return <span className="font-mono text-xs">{shortId(row.image.id)}</span>;
      case 'digest':
        return (
          <span className="font-mono text-xs text-slate-500" title={row.digest ?? undefined}>
            {row.digest ? `${row.digest.slice(0, 19)}…` : '—'}
          </span>
        );
      case 'created':
        return (
          <span className="text-xs text-slate-500" title={row.image.created}>
            {timeAgo(row.image.created, now)}
          </span>
        );
      case 'size':
        return (
          <span className="tabular-nums" data-testid="image-size">
            {bytesSize(row.image.size)}
          </span>
        );
      case 'usedBy':
        return row.image.usedBy.length === 0 ? (
          <span className="text-xs text-slate-400">—</span>
        ) : (
          <span className="flex flex-wrap gap-x-2 text-xs" data-testid="image-used-by">
            {row.image.usedBy.map((user) => (
              <Link
                key={user.id}
                href={`/hosts/${hostId}/containers/${user.id}`}
                className="text-sky-700 underline dark:text-sky-300"
              >
                {user.name}
              </Link>
            ))}
          </span>
        );
      case 'actions':
        return actions?.(row) ?? null;
      default:
        return null;
    }
  };

  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table className="min-w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-800">
          <tr>
            {table
              .getHeaderGroups()[0]
              ?.headers.filter((header) => shown.includes(header.column))
              .map((header) => {
                const sorted = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    className={`px-2 py-2 sm:px-3 ${columnClass[header.id] ?? ''}`}
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  >
                    {header.id === 'actions' ? (
                      <span className="sr-only">Actions</span>
                    ) : (
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
                    )}
                  </th>
                );
              })}
          </tr>
        </thead>
        <tbody ref={body}>
          {tableRows.length === 0 && (
            <tr>
              <td
                colSpan={shown.length}
                className="px-4 py-8 text-center text-slate-500"
                data-testid="images-empty"
              >
                {empty}
              </td>
            </tr>
          )}
          {padTop > 0 && (
            <tr>
              <td colSpan={shown.length} style={{ height: padTop, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = tableRows[item.index];
            if (!row) return null;
            return (
              <tr
                key={row.id}
                data-index={item.index}
                data-testid="image-row"
                data-reference={row.original.reference}
                className="border-b border-slate-100 last:border-0 dark:border-slate-800"
                style={{ height: ROW_HEIGHT }}
              >
                {shown.map((c) => (
                  <td key={c.id} className={`px-2 py-1.5 sm:px-3 ${columnClass[c.id] ?? ''}`}>
                    {cell(c.id, row.original)}
                  </td>
                ))}
              </tr>
            );
          })}
          {padBottom > 0 && (
            <tr>
              <td colSpan={shown.length} style={{ height: padBottom, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
