'use client';

import type { HostVolume } from '@stevedore/shared';
import { useTRPC } from '~/trpc/react';
import { ActionDialog } from '../container-page/action-dialog';
import { useRemoveAction } from '../netvol/use-remove-action';
import { ErrorNote } from '../ui';

/**
 * Asks before deleting a volume and its data. A volume in use is refused by the engine, forced or
 * not (Docker's `volume rm -f` only forgives one that is gone), so the dialog says who uses it.
 */
export function VolumeRemoveDialog({
  hostId,
  row,
  onClose,
}: {
  hostId: string;
  row: HostVolume | null;
  onClose(): void;
}) {
  const trpc = useTRPC();
  const { remove, close, run } = useRemoveAction({
    mutation: trpc.volumes.remove.mutationOptions(),
    queryKey: trpc.volumes.pathKey(),
    onClose,
  });
  const name = row?.volume.Name ?? '';
  const users = row?.usedBy ?? [];
  const confirm = () => {
    if (!row) return;
    // The engine's refusal (a container uses it) stays in the dialog from remove.error.
    run({ hostId, name }, `Volume ${name} removed`);
  };
  return (
    <ActionDialog
      open={row !== null}
      title={`Remove volume ${name}?`}
      confirmLabel="Remove"
      danger
      busy={remove.isPending}
      onConfirm={confirm}
      onClose={close}
    >
      <p>The volume and every file in it are deleted; this cannot be undone.</p>
      {users.length > 0 && (
        <p data-testid="remove-volume-users" className="text-amber-800 dark:text-amber-200">
          In use by {users.map((user) => `${user.name} (${user.state})`).join(', ')}: the engine refuses to
          remove a volume a container uses, running or stopped. Remove those containers first.
        </p>
      )}
      {remove.isError && <ErrorNote>{remove.error.message}</ErrorNote>}
    </ActionDialog>
  );
}
