'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import {
  EMPTY_NETWORK_FORM,
  NetworkFormSchema,
  type NetworkFormValues,
  networkFormToCreate,
} from '~/lib/netvol/network-form';
import { useTRPC } from '~/trpc/react';
import { CreateDialogActions, LabelsField } from '../netvol/create-dialog-parts';
import { describedBy, FieldRow, inputClass } from '../netvol/form-field';
import { useCreateDialog } from '../netvol/use-create-dialog';
import { Modal } from '../presets/modal';

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
  const form = useForm<NetworkFormValues>({
    resolver: zodResolver(NetworkFormSchema),
    defaultValues: EMPTY_NETWORK_FORM,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const errors = form.formState.errors;
  const { create, close, submit } = useCreateDialog({
    form,
    empty: EMPTY_NETWORK_FORM,
    mutation: trpc.networks.create.mutationOptions(),
    queryKey: trpc.networks.pathKey(),
    toInput: (values) => ({ hostId, network: networkFormToCreate(values) }),
    message: (_created, input) => `Network ${input.network.Name} created`,
    onCreated: (created) => onCreated(created.id),
    onClose,
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
        <LabelsField
          id="network-labels"
          error={errors.Labels?.message}
          registration={form.register('Labels')}
          placeholder="com.example.team=payments"
        />
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Driver: bridge (the engine’s only network driver).
        </p>
        <CreateDialogActions create={create} submitLabel="Create network" onCancel={close} />
      </form>
    </Modal>
  );
}
