'use client';

import type { FleetImageRow, HostImageRow } from '@stevedore/shared';
import { useId, useMemo, useState } from 'react';
import { SecondaryButton } from '../ui';
import { LoadImagesDialog, SaveImagesDialog } from './archive-dialogs';
import { type ImageTableRow, imageTableRows } from './image-rows';

/** The fleet's rows that `hostId` has, as that host's own images list would show them. */
export function hostRowsOf(rows: readonly FleetImageRow[], hostId: string): ImageTableRow[] {
  const onHost: HostImageRow[] = rows
    .filter((row) => row.hosts.some((host) => host.hostId === hostId))
    .map(({ id, repoTags, repoDigests, created, size }) => ({
      id,
      repoTags,
      repoDigests,
      created,
      size,
      usedBy: [],
    }));
  return imageTableRows(onHost);
}

/** What the Save dialog opens on: the image, from the first of its hosts the user may operate. */
export interface FleetSave {
  hostId: string;
  row: FleetImageRow;
}

/** `docker save` from the fleet list, through the host's Save dialog. */
export function FleetSaveDialog({
  saving,
  rows,
  onClose,
}: {
  saving: FleetSave | null;
  rows: readonly FleetImageRow[];
  onClose(): void;
}) {
  // Stable between renders: the dialog resets its ticks when `row` changes.
  const hostRows = useMemo(() => (saving ? hostRowsOf(rows, saving.hostId) : []), [saving, rows]);
  const row = useMemo(
    () => (saving ? (hostRows.find((candidate) => candidate.image.id === saving.row.id) ?? null) : null),
    [saving, hostRows],
  );
  return <SaveImagesDialog hostId={saving?.hostId ?? ''} row={row} rows={hostRows} onClose={onClose} />;
}

/** `docker load` from the fleet page: the host is picked here, then the host's Load dialog. */
export function FleetLoad({
  hosts,
  onLoaded,
}: {
  hosts: readonly { hostId: string; hostName: string }[];
  onLoaded(): void;
}) {
  const selectId = useId();
  const [hostId, setHostId] = useState('');
  const [open, setOpen] = useState(false);
  const chosen = hosts.some((host) => host.hostId === hostId) ? hostId : (hosts[0]?.hostId ?? '');
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="fleet-load">
      <label htmlFor={selectId} className="text-sm">
        Load images onto
      </label>
      <select
        id={selectId}
        value={chosen}
        onChange={(e) => setHostId(e.target.value)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900"
      >
        {hosts.map((host) => (
          <option key={host.hostId} value={host.hostId}>
            {host.hostName}
          </option>
        ))}
      </select>
      <SecondaryButton type="button" onClick={() => setOpen(true)} disabled={!chosen}>
        Load images
      </SecondaryButton>
      <LoadImagesDialog hostId={chosen} open={open} onClose={() => setOpen(false)} onLoaded={onLoaded} />
    </div>
  );
}
