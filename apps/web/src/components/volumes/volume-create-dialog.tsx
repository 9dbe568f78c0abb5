'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import {
  EMPTY_VOLUME_FORM,
  VolumeFormSchema,
  type VolumeFormValues,
  volumeFormToCreate,
} from '~/lib/netvol/volume-form';
import { useTRPC } from '~/trpc/react';
import { describedBy, FieldRow, inputClass } from '../netvol/form-field';
import { Modal } from '../presets/modal';
import { useToast } from '../toasts';
import { Button, ErrorNote, SecondaryButton } from '../ui';

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
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useForm<VolumeFormValues>({
    resolver: zodResolver(VolumeFormSchema),
    defaultValues: EMPTY_VOLUME_FORM,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const create = useMutation(trpc.volumes.create.mutationOptions());
  const errors = form.formState.errors;
  const close = () => {
    form.reset(EMPTY_VOLUME_FORM);
    create.reset();
    onClose();
  };
  const submit = form.handleSubmit((values) => {
    // A refusal shows in the form from create.error.
    create.mutate(
      { hostId, volume: volumeFormToCreate(values) },
      {
        onSuccess: async (volume) => {
          await queryClient.invalidateQueries({ queryKey: trpc.volumes.pathKey() });
          toast.success(`Volume ${volume.Name} created`);
          form.reset(EMPTY_VOLUME_FORM);
          create.reset();
          onCreated(volume.Name);
        },
      },
    );
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
        <FieldRow
          id="volume-labels"
          label="Labels"
          hint="One KEY=VALUE per line"
          error={errors.Labels?.message}
        >
          <textarea
            id="volume-labels"
            aria-invalid={errors.Labels ? true : undefined}
            aria-describedby={errors.Labels ? 'volume-labels-error' : 'volume-labels-hint'}
            {...form.register('Labels')}
            rows={3}
            className={`${inputClass} font-mono text-xs`}
            placeholder="com.example.backup=nightly"
          />
        </FieldRow>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Driver: local, a directory under the engine’s data-root. This engine’s local driver takes no driver
          options (no tmpfs or NFS mounts), so there are none to set.
        </p>
        {create.isError && <ErrorNote>{create.error.message}</ErrorNote>}
        <div className="flex justify-end gap-2">
          <SecondaryButton type="button" onClick={close}>
            Cancel
          </SecondaryButton>
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create volume'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
