'use client';

import type { PruneOutcome } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { PruneOutcomeNote } from '../netvol/prune-outcome';
import { Modal } from '../presets/modal';
import { ErrorNote, SecondaryButton } from '../ui';

/** Prune with a preview: exactly the networks listed are removed, none made after the preview. */
export function NetworkPruneDialog({
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
    ...trpc.networks.prunePreview.queryOptions({ hostId }),
    enabled: open,
    staleTime: 0,
  });
  const prune = useMutation(trpc.networks.prune.mutationOptions());
  const [outcome, setOutcome] = useState<PruneOutcome | null>(null);
  const networks = preview.data?.networks ?? [];
  const names = new Map(networks.map((network) => [network.id, network.name]));
  const close = () => {
    setOutcome(null);
    prune.reset();
    onClose();
  };
  const confirm = () =>
    prune.mutate(
      { hostId, networks: networks.map((network) => network.id) },
      {
        onSuccess: async (result) => {
          setOutcome(result);
          await queryClient.invalidateQueries({ queryKey: trpc.networks.pathKey() });
        },
      },
    );
  return (
    <Modal open={open} title="Prune networks" onClose={close}>
      {outcome ? (
        <PruneOutcomeNote outcome={outcome} noun="network" names={names} showSpace={false} />
      ) : (
        <div className="space-y-3 text-sm" data-testid="network-prune-preview">
          {preview.isPending && <p className="text-slate-500">Finding unused networks…</p>}
          {preview.isError && <ErrorNote>{preview.error.message}</ErrorNote>}
          {preview.data && networks.length === 0 && (
            <p>Nothing to prune: every network you made has a container on it (running or stopped).</p>
          )}
          {networks.length > 0 && (
            <>
              <p>
                These {networks.length} network{networks.length === 1 ? '' : 's'} have no container on them,
                running or stopped, and will be removed:
              </p>
              <ul className="list-disc space-y-0.5 pl-5 font-mono text-xs">
                {networks.map((network) => (
                  <li key={network.id}>{network.name}</li>
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
            disabled={networks.length === 0 || prune.isPending}
            onClick={confirm}
            className="inline-flex items-center justify-center rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-50"
          >
            {prune.isPending
              ? 'Removing…'
              : `Remove ${networks.length} network${networks.length === 1 ? '' : 's'}`}
          </button>
        )}
      </div>
    </Modal>
  );
}
