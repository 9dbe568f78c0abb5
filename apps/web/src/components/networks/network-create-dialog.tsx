'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import {
  EMPTY_NETWORK_FORM,
  NetworkFormSchema,
  type NetworkFormValues,
  networkFormToCreate,
} from '~/lib/netvol/network-form';
import { useTRPC } from '~/trpc/react';
import { describedBy, FieldRow, inputClass } from '../netvol/form-field';
import { Modal } from '../presets/modal';
import { useToast } from '../toasts';
import { Button, ErrorNote, SecondaryButton } from '../ui';

/** The create-network form: the engine's rules checked beside each field before anything is sent. */
export function NetworkCreateDialog({
  hostId,
  open,
  onClose,
  onCreated,
}: {
  hostId: string;
  open: boolean;
  onClose(): void;
  onCreated(id: string): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useForm<NetworkFormValues>({
    resolver: zodResolver(NetworkFormSchema),
    defaultValues: EMPTY_NETWORK_FORM,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const create = useMutation(trpc.networks.create.mutationOptions());
  const errors = form.formState.errors;
  const close = () => {
    form.reset(EMPTY_NETWORK_FORM);
    create.reset();
    onClose();
  };
  const submit = form.handleSubmit((values) => {
    const network = networkFormToCreate(values);
    // A refusal (a name or subnet taken) shows in the form from create.error.
    create.mutate(
      { hostId, network },
      {
        onSuccess: async (created) => {
          await queryClient.invalidateQueries({ queryKey: trpc.networks.pathKey() });
          toast.success(`Network ${network.Name} created`);
          form.reset(EMPTY_NETWORK_FORM);
          create.reset();
          onCreated(created.id);
        },
      },
    );
  });

  return (
    <Modal open={open} title="Create network" onClose={close}>
      <form aria-label="Create network" onSubmit={submit} noValidate className="space-y-4">
        <FieldRow id="network-name" label="Name" error={errors.Name?.message}>
          <input
            {...describedBy('network-name', errors.Name?.message)}
            {...form.register('Name')}
            className={inputClass}
            autoComplete="off"
            placeholder="app-net"
          />
        </FieldRow>
        <div className="grid gap-4 sm:grid-cols-2">
          <FieldRow
            id="network-subnet"
            label="Subnet"
            hint="CIDR, e.g. 172.30.0.0/24; empty: the engine picks a free one"
            error={errors.Subnet?.message}
          >
            <input
              {...describedBy('network-subnet', errors.Subnet?.message)}
              {...form.register('Subnet', { deps: 'Gateway' })}
              className={`${inputClass} font-mono`}
              autoComplete="off"
              placeholder="172.30.0.0/24"
            />
          </FieldRow>
          <FieldRow
            id="network-gateway"
            label="Gateway"
            hint="An address inside the subnet; empty: its first address"
            error={errors.Gateway?.message}
          >
            <input
              {...describedBy('network-gateway', errors.Gateway?.message)}
              {...form.register('Gateway')}
              className={`${inputClass} font-mono`}
              autoComplete="off"
              placeholder="172.30.0.1"
            />
          </FieldRow>
        </div>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" {...form.register('Internal')} className="mt-1" />
          <span>
            <span className="font-medium">Internal</span>
            <span className="block text-xs text-slate-500 dark:text-slate-400">
              Containers reach each other but not the outside world (no NAT, no published ports).
            </span>
          </span>
        </label>
        <FieldRow
          id="network-labels"
          label="Labels"
          hint="One KEY=VALUE per line"
          error={errors.Labels?.message}
        >
          <textarea
            id="network-labels"
            aria-invalid={errors.Labels ? true : undefined}
            aria-describedby={errors.Labels ? 'network-labels-error' : 'network-labels-hint'}
            {...form.register('Labels')}
            rows={3}
            className={`${inputClass} font-mono text-xs`}
            placeholder="com.example.team=payments"
          />
        </FieldRow>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Driver: bridge (the engine’s only network driver).
        </p>
        {create.isError && <ErrorNote>{create.error.message}</ErrorNote>}
        <div className="flex justify-end gap-2">
          <SecondaryButton type="button" onClick={close}>
            Cancel
          </SecondaryButton>
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create network'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
