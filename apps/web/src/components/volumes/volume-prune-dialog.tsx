'use client';

import { bytesSize, countOf } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '~/trpc/react';
import { PruneDialog } from '../netvol/prune-dialog';
import { PruneOutcomeNote } from '../netvol/prune-outcome';

/** Prune with a preview of each volume that goes and what it frees; exactly those are removed. */
export function VolumePruneDialog({
  hostId,
  open,
  onClose,
}: {
  hostId: string;
  open: boolean;
  onClose(): void;
}) {
  const trpc = useTRPC();
  const preview = useQuery({
    ...trpc.volumes.prunePreview.queryOptions({ hostId }),
    enabled: open,
    staleTime: 0,
  });
  const volumes = preview.data?.volumes ?? [];
  return (
    <PruneDialog
      title="Prune volumes"
      noun="volume"
      open={open}
      onClose={onClose}
      previewTestId="volume-prune-preview"
      pendingText="Measuring unused volumes…"
      emptyText="Nothing to prune: every volume is used by a container."
      preview={preview}
      count={volumes.length}
      mutation={trpc.volumes.prune.mutationOptions()}
      input={{ hostId, volumes: volumes.map((volume) => volume.name) }}
      queryKey={trpc.volumes.pathKey()}
      outcomeNote={(outcome) => <PruneOutcomeNote outcome={outcome} noun="volume" showSpace />}
    >
      <p>
        No container uses these {countOf(volumes.length, 'volume')}. Removing them deletes their data and
        frees <strong data-testid="prune-reclaimable">{bytesSize(preview.data?.reclaimable ?? 0)}</strong>.
      </p>
      <ul className="space-y-0.5 text-xs">
        {volumes.map((volume) => (
          <li key={volume.name} className="flex justify-between gap-3">
            <span className="truncate font-mono" title={volume.name}>
              {volume.name}
            </span>
            <span className="shrink-0">{bytesSize(volume.size)}</span>
          </li>
        ))}
      </ul>
    </PruneDialog>
  );
}
