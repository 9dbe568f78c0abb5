'use client';

import { bytesSize } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '~/trpc/react';
import { DataTable, rowClass } from '../data-table';
import { JsonBlock } from '../netvol/json-block';
import { Modal } from '../presets/modal';
import { ErrorNote } from '../ui';

/** One volume: where its data lives, how big it is, which containers mount it where, the JSON. */
export function VolumeInspectDialog({
  hostId,
  name,
  size,
  onClose,
}: {
  hostId: string;
  name: string | null;
  size: number | undefined;
  onClose(): void;
}) {
  const trpc = useTRPC();
  const inspect = useQuery({
    ...trpc.volumes.inspect.queryOptions({ hostId, name: name ?? '' }),
    enabled: name !== null,
  });
  const row = inspect.data;
  return (
    <Modal open={name !== null} title={`Volume ${name ?? ''}`} onClose={onClose} wide>
      {inspect.isError && <ErrorNote>{inspect.error.message}</ErrorNote>}
      {inspect.isPending && <p className="text-sm text-slate-500">Loading…</p>}
      {row && (
        <div className="space-y-4" data-testid="volume-inspect">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            {(
              [
                ['Driver', row.volume.Driver],
                ['Mountpoint', row.volume.Mountpoint],
                ['Created', row.volume.CreatedAt],
                ['Size', size === undefined ? '—' : bytesSize(size)],
                [
                  'Labels',
                  Object.entries(row.volume.Labels)
                    .map(([key, value]) => `${key}=${value}`)
                    .join(', ') || '—',
                ],
              ] as const
            ).map(([term, value]) => (
              <div key={term} className="contents">
                <dt className="text-slate-500">{term}</dt>
                <dd className="min-w-0 break-all font-mono text-xs leading-5">{value}</dd>
              </div>
            ))}
          </dl>
          <section aria-label="Used by" className="space-y-2">
            <h3 className="font-medium">Used by ({row.usedBy.length})</h3>
            {row.usedBy.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No container mounts this volume.</p>
            ) : (
              <DataTable columns={['Container', 'State', 'Mounted at']}>
                {row.usedBy.map((user) => (
                  <tr key={`${user.id}:${user.destination}`} className={rowClass}>
                    <td className="px-4 py-2">
                      <Link
                        href={`/hosts/${hostId}/containers/${user.id}`}
                        className="text-sky-700 hover:underline dark:text-sky-400"
                      >
                        {user.name}
                      </Link>
                    </td>
                    <td className="px-4 py-2">{user.state}</td>
                    <td className="px-4 py-2 font-mono text-xs">{user.destination}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <JsonBlock value={row.volume} />
        </div>
      )}
    </Modal>
  );
}
