'use client';

import { bytesSize, type PruneOutcome } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { PruneOutcomeNote } from '../netvol/prune-outcome';
import { Modal } from '../presets/modal';
import { ErrorNote, SecondaryButton } from '../ui';

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
  const queryClient = useQueryClient();
  const preview = useQuery({
    ...trpc.volumes.prunePreview.queryOptions({ hostId }),
    enabled: open,
    staleTime: 0,
  });
  const prune = useMutation(trpc.volumes.prune.mutationOptions());
  const [outcome, setOutcome] = useState<PruneOutcome | null>(null);
  const volumes = preview.data?.volumes ?? [];
  const close = () => {
    setOutcome(null);
    prune.reset();
    onClose();
  };
  const confirm = () =>
    prune.mutate(
      { hostId, volumes: volumes.map((volume) => volume.name) },
      {
        onSuccess: async (result) => {
          setOutcome(result);
          await queryClient.invalidateQueries({ queryKey: trpc.volumes.pathKey() });
        },
      },
    );
  return (
    <Modal open={open} title="Prune volumes" onClose={close}>
      {outcome ? (
        <PruneOutcomeNote outcome={outcome} noun="volume" showSpace />
      ) : (
        <div className="space-y-3 text-sm" data-testid="volume-prune-preview">
          {preview.isPending && <p className="text-slate-500">Measuring unused volumes…</p>}
          {preview.isError && <ErrorNote>{preview.error.message}</ErrorNote>}
          {preview.data && volumes.length === 0 && (
            <p>Nothing to prune: every volume is used by a container.</p>
          )}
          {preview.data && volumes.length > 0 && (
            <>
              <p>
                No container uses these {volumes.length} volume{volumes.length === 1 ? '' : 's'}. Removing
                them deletes their data and frees{' '}
                <strong data-testid="prune-reclaimable">{bytesSize(preview.data.reclaimable)}</strong>.
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
            </>
          )}
          {prune.isError && <ErrorNote>{prune.error.message}</ErrorNote>}
        </div>
      )}
      <div className="flex justify-end gap-2">
        <SecondaryButton type="button" onClick={close}>
          {outcome ? 'Close' : 'Cancel'}
        </SecondaryButton>
        {!outcome && (
          <button
            type="button"
            disabled={volumes.length === 0 || prune.isPending}
            onClick={confirm}
            className="inline-flex items-center justify-center rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-50"
          >
            {prune.isPending
              ? 'Removing…'
              : `Remove ${volumes.length} volume${volumes.length === 1 ? '' : 's'}`}
          </button>
        )}
      </div>
    </Modal>
  );
}
