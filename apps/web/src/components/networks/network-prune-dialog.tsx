'use client';

import { countOf } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '~/trpc/react';
import { PruneDialog } from '../netvol/prune-dialog';
import { PruneOutcomeNote } from '../netvol/prune-outcome';

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
  const preview = useQuery({
    ...trpc.networks.prunePreview.queryOptions({ hostId }),
    enabled: open,
    staleTime: 0,
  });
  const networks = preview.data?.networks ?? [];
  const names = new Map(networks.map((network) => [network.id, network.name]));
  return (
    <PruneDialog
      title="Prune networks"
      noun="network"
      open={open}
      onClose={onClose}
      previewTestId="network-prune-preview"
      pendingText="Finding unused networks…"
      emptyText="Nothing to prune: every network you made has a container on it (running or stopped)."
      preview={preview}
      count={networks.length}
      mutation={trpc.networks.prune.mutationOptions()}
      input={{ hostId, networks: networks.map((network) => network.id) }}
      queryKey={trpc.networks.pathKey()}
      outcomeNote={(outcome) => (
        <PruneOutcomeNote outcome={outcome} noun="network" names={names} showSpace={false} />
      )}
    >
      <p>
        These {countOf(networks.length, 'network')} have no container on them, running or stopped, and will be
        removed:
      </p>
      <ul className="list-disc space-y-0.5 pl-5 font-mono text-xs">
        {networks.map((network) => (
          <li key={network.id}>{network.name}</li>
        ))}
      </ul>
    </PruneDialog>
  );
}
