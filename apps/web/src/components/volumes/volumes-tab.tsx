'use client';

import { bytesSize, type HostVolume } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { DataTable, rowClass } from '../data-table';
import { RowRemoveButton, TabHeader } from '../netvol/tab-header';
import { ErrorNote } from '../ui';
import { useEngineRefresh } from '../use-engine-refresh';
import { VolumeCreateDialog } from './volume-create-dialog';
import { VolumeInspectDialog } from './volume-inspect-dialog';
import { VolumePruneDialog } from './volume-prune-dialog';
import { VolumeRemoveDialog } from './volume-remove-dialog';

const COLUMNS = ['Name', 'Driver', 'Size', 'Used by', 'Labels', 'Mountpoint', ''];

/** The host's volumes with their sizes and users; operators granted the host create, remove, prune. */
export function VolumesTab({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.volumes.list.queryOptions({ hostId }));
  // Measured apart from the list: walking the files takes longer than listing them.
  const sizes = useQuery(trpc.volumes.sizes.queryOptions({ hostId }));
  const access = useQuery(trpc.hosts.access.queryOptions({ hostId }));
  const canOperate = access.data?.canOperate ?? false;
  const [creating, setCreating] = useState(false);
  const [pruning, setPruning] = useState(false);
  const [inspecting, setInspecting] = useState<string | null>(null);
  const [removing, setRemoving] = useState<HostVolume | null>(null);
  useEngineRefresh(hostId, ['volume', 'container'], [trpc.volumes.pathKey()]);

  return (
    <section aria-labelledby="volumes-heading" className="space-y-3">
      <TabHeader
        id="volumes"
        title="Volumes"
        count={list.data?.length}
        canOperate={canOperate}
        createLabel="Create volume"
        onPrune={() => setPruning(true)}
        onCreate={() => setCreating(true)}
      />
      {list.isError && <ErrorNote>{list.error.message}</ErrorNote>}
      {sizes.isError && <ErrorNote>Sizes unavailable: {sizes.error.message}</ErrorNote>}
      {list.isPending && <p className="text-sm text-slate-500">Loading volumes…</p>}
      {list.data && list.data.length === 0 && (
        <p className="rounded-lg border border-dashed border-slate-300 p-4 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">
          No volumes on this host.{' '}
          {canOperate
            ? 'Create one to keep data beyond a container’s life, or run a container with -v NAME:/path.'
            : 'Containers create them with -v NAME:/path; operators can create them here.'}
        </p>
      )}
      {list.data && list.data.length > 0 && (
        <DataTable columns={COLUMNS}>
          {list.data.map((row) => (
            <tr key={row.volume.Name} className={rowClass} data-testid={`volume-row-${row.volume.Name}`}>
              <td className="max-w-64 px-4 py-2 font-medium">
                <button
                  type="button"
                  onClick={() => setInspecting(row.volume.Name)}
                  title={row.volume.Name}
                  className="block max-w-full truncate text-sky-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-400"
                >
                  {row.volume.Name}
                </button>
              </td>
              <td className="px-4 py-2">{row.volume.Driver}</td>
              <td className="px-4 py-2 whitespace-nowrap" data-testid="volume-size">
                {sizes.data ? bytesSize(sizes.data[row.volume.Name] ?? 0) : sizes.isPending ? '…' : '—'}
              </td>
              <td className="px-4 py-2" data-testid="volume-used-by">
                {row.usedBy.length === 0 ? (
                  <span className="text-slate-500">unused</span>
                ) : (
                  row.usedBy.map((user, index) => (
                    <span key={`${user.id}:${user.destination}`}>
                      {index > 0 && ', '}
                      <Link
                        href={`/hosts/${hostId}/containers/${user.id}`}
                        className="text-sky-700 hover:underline dark:text-sky-400"
                      >
                        {user.name}
                      </Link>
                    </span>
                  ))
                )}
              </td>
              <td className="px-4 py-2 text-xs">
                {Object.entries(row.volume.Labels)
                  .map(([key, value]) => `${key}=${value}`)
                  .join(', ') || '—'}
              </td>
              <td className="max-w-72 truncate px-4 py-2 font-mono text-xs" title={row.volume.Mountpoint}>
                {row.volume.Mountpoint}
              </td>
              <td className="px-4 py-2 text-right">
                {canOperate && (
                  <RowRemoveButton
                    label={`Remove volume ${row.volume.Name}`}
                    onClick={() => setRemoving(row)}
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <VolumeCreateDialog
        hostId={hostId}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(name) => {
          setCreating(false);
          setInspecting(name);
        }}
      />
      <VolumeInspectDialog
        hostId={hostId}
        name={inspecting}
        size={inspecting ? sizes.data?.[inspecting] : undefined}
        onClose={() => setInspecting(null)}
      />
      <VolumeRemoveDialog hostId={hostId} row={removing} onClose={() => setRemoving(null)} />
      <VolumePruneDialog hostId={hostId} open={pruning} onClose={() => setPruning(false)} />
    </section>
  );
}
