'use client';

import type { HostNetwork } from '@stevedore/shared';
import { countOf } from '@stevedore/shared';
import { useTRPC } from '~/trpc/react';
import { ActionDialog } from '../container-page/action-dialog';
import { useRemoveAction } from '../netvol/use-remove-action';
import { ErrorNote } from '../ui';

/** Asks before removing a network; says up front when containers on it will make the engine refuse. */
export function NetworkRemoveDialog({
  hostId,
  row,
  onClose,
}: {
  hostId: string;
  row: HostNetwork | null;
  onClose(): void;
}) {
  const trpc = useTRPC();
  const { remove, close, run } = useRemoveAction({
    mutation: trpc.networks.remove.mutationOptions(),
    queryKey: trpc.networks.pathKey(),
    onClose,
  });
  const name = row?.network.Name ?? '';
  const members = row?.members ?? [];
  const confirm = () => {
    if (!row) return;
    // The engine's refusal (containers on it) stays in the dialog from remove.error.
    run({ hostId, network: row.network.Id }, `Network ${name} removed`);
  };
  return (
    <ActionDialog
      open={row !== null}
      title={`Remove network ${name}?`}
      confirmLabel="Remove"
      danger
      busy={remove.isPending}
      onConfirm={confirm}
      onClose={close}
    >
      <p>The network and its bridge are deleted. Containers cannot be on it while it goes.</p>
      {members.length > 0 && (
        <p data-testid="remove-network-members" className="text-amber-800 dark:text-amber-200">
          {countOf(members.length, 'container is', 'containers are')} on it (
          {members.map((member) => member.name).join(', ')}): the engine will refuse until they are
          disconnected.
        </p>
      )}
      {remove.isError && <ErrorNote>{remove.error.message}</ErrorNote>}
    </ActionDialog>
  );
}
