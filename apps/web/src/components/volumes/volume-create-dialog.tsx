'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import {
  EMPTY_VOLUME_FORM,
  VolumeFormSchema,
  type VolumeFormValues,
  volumeFormToCreate,
} from '~/lib/netvol/volume-form';
import { useTRPC } from '~/trpc/react';
import { CreateDialogActions, LabelsField } from '../netvol/create-dialog-parts';
import { describedBy, FieldRow, inputClass } from '../netvol/form-field';
import { useCreateDialog } from '../netvol/use-create-dialog';
import { Modal } from '../presets/modal';

/** The create-volume form: a name (or one the engine makes up) and labels. */
export function VolumeCreateDialog({
  hostId,
  open,
  onClose,
  onCreated,
}: {
  hostId: string;
  open: boolean;
  onClose(): void;
  onCreated(name: string): void;
}) {
  const trpc = useTRPC();
  const form = useForm<VolumeFormValues>({
    resolver: zodResolver(VolumeFormSchema),
    defaultValues: EMPTY_VOLUME_FORM,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const errors = form.formState.errors;
  const { create, close, submit } = useCreateDialog({
    form,
    empty: EMPTY_VOLUME_FORM,
    mutation: trpc.volumes.create.mutationOptions(),
    queryKey: trpc.volumes.pathKey(),
    toInput: (values) => ({ hostId, volume: volumeFormToCreate(values) }),
    message: (volume) => `Volume ${volume.Name} created`,
    onCreated: (volume) => onCreated(volume.Name),
    onClose,
  });
  return (
    <Modal open={open} title="Create volume" onClose={close}>
      <form aria-label="Create volume" onSubmit={submit} noValidate className="space-y-4">
        <FieldRow
          id="volume-name"
          label="Name"
          hint="Empty: the engine names it (an anonymous volume)"
          error={errors.Name?.message}
        >
          <input
            {...describedBy('volume-name', errors.Name?.message)}
            {...form.register('Name')}
            className={inputClass}
            autoComplete="off"
            placeholder="app-data"
          />
        </FieldRow>
        <LabelsField
          id="volume-labels"
          error={errors.Labels?.message}
          registration={form.register('Labels')}
          placeholder="com.example.backup=nightly"
        />
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Driver: local, a directory under the engine’s data-root. This engine’s local driver takes no driver
          options (no tmpfs or NFS mounts), so there are none to set.
        </p>
        <CreateDialogActions create={create} submitLabel="Create volume" onCancel={close} />
      </form>
    </Modal>
  );
}
