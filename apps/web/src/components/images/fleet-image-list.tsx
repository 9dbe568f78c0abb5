'use client';

import { bytesSize, type FleetImageRow, timeAgo } from '@stevedore/shared';
import Link from 'next/link';
import { DataTable, rowClass } from '../data-table';
import { shortId } from './image-rows';

const saveButtonClass =
  'rounded px-1.5 py-0.5 text-xs text-sky-700 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300 dark:hover:bg-slate-800';

const namesOf = (row: FleetImageRow) => (row.repoTags.length > 0 ? row.repoTags.join(', ') : '<none>');

function HostLinks({ row }: { row: FleetImageRow }) {
  return (
    <span className="flex flex-wrap gap-x-2">
      {row.hosts.map((host) => (
        <Link
          key={host.hostId}
          href={`/hosts/${host.hostId}/images`}
          className="text-sky-700 underline dark:text-sky-300"
        >
          {host.hostName}
          {host.containers > 0 ? ` (${host.containers} in use)` : ''}
        </Link>
      ))}
    </span>
  );
}

function SaveButton({ row, onSave }: { row: FleetImageRow; onSave(row: FleetImageRow): void }) {
  return (
    <button
      type="button"
      onClick={() => onSave(row)}
      aria-label={`Save ${row.repoTags[0] ?? shortId(row.id)}`}
      className={saveButtonClass}
    >
      Save
    </button>
  );
}

/**
 * The fleet's images: a table from 640 px up, one card per image below (a phone has no room for
 * five columns). `onSave` is null for rows none of whose hosts the user may operate.
 */
export function FleetImageList({
  rows,
  now,
  onSave,
}: {
  rows: readonly FleetImageRow[] | undefined;
  now: number;
  onSave: (row: FleetImageRow) => ((row: FleetImageRow) => void) | null;
}) {
  const empty = rows?.length === 0;
  const emptyText = 'No images on any host yet. Pull one above, or on a host’s Images tab.';
  return (
    <>
      <div className="hidden sm:block">
        <DataTable columns={['Names', 'Image ID', 'Created', 'Size', 'Hosts', '']}>
          {empty && (
            <tr>
              <td colSpan={6} className="px-4 py-6 text-slate-500">
                {emptyText}
              </td>
            </tr>
          )}
          {rows?.map((row) => {
            const save = onSave(row);
            return (
              <tr key={row.id} className={rowClass} data-testid="fleet-image-row">
                <td className="px-4 py-2 font-mono text-xs break-all">{namesOf(row)}</td>
                <td className="px-4 py-2 font-mono text-xs">{shortId(row.id)}</td>
                <td className="px-4 py-2 text-xs text-slate-500">{timeAgo(row.created, now)}</td>
                <td className="px-4 py-2 tabular-nums">{bytesSize(row.size)}</td>
                <td className="px-4 py-2 text-xs">
                  <HostLinks row={row} />
                </td>
                <td className="px-4 py-2 text-right">{save && <SaveButton row={row} onSave={save} />}</td>
              </tr>
            );
          })}
        </DataTable>
      </div>
      <ul className="space-y-2 sm:hidden" aria-label="Images">
        {empty && (
          <li className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-500 dark:border-slate-800 dark:bg-slate-900">
            {emptyText}
          </li>
        )}
        {rows?.map((row) => {
          const save = onSave(row);
          return (
            <li
              key={row.id}
              data-testid="fleet-image-card"
              className="space-y-1 rounded-lg border border-slate-200 bg-white p-3 text-sm dark:border-slate-800 dark:bg-slate-900"
            >
              <div className="flex items-start justify-between gap-2">
                <p className="min-w-0 font-mono text-xs break-all">{namesOf(row)}</p>
                {save && <SaveButton row={row} onSave={save} />}
              </div>
              <p className="text-xs text-slate-500 dark:text-slate-400">
                <span className="font-mono">{shortId(row.id)}</span> · {timeAgo(row.created, now)} ·{' '}
                <span className="tabular-nums">{bytesSize(row.size)}</span>
              </p>
              <div className="text-xs">
                <HostLinks row={row} />
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
