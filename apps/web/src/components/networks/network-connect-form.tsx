'use client';

import { NetworkConnectSchema, type NetworkMember } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { describedBy, FieldRow, inputClass } from '../netvol/form-field';
import { useToast } from '../toasts';
import { Button, ErrorNote } from '../ui';

type FieldErrors = Partial<Record<'container' | 'Aliases' | 'IPv4Address', string>>;

/** Connects one of the host's containers to the network, with optional aliases and a fixed address. */
export function NetworkConnectForm({
  hostId,
  network,
  members,
}: {
  hostId: string;
  network: string;
  members: NetworkMember[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const containers = useQuery(trpc.containers.list.queryOptions({ hostId }));
  const connect = useMutation(trpc.networks.connect.mutationOptions());
  const [container, setContainer] = useState('');
  const [aliases, setAliases] = useState('');
  const [address, setAddress] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const memberIds = new Set(members.map((member) => member.id));
  const choices = (containers.data ?? [])
    .filter((summary) => !memberIds.has(summary.Id))
    .map((summary) => ({
      id: summary.Id,
      name: (summary.Names[0] ?? summary.Id).replace(/^\//, ''),
      state: summary.State,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = NetworkConnectSchema.safeParse({
      network,
      container,
      Aliases: aliases
        .split(/[\s,]+/)
        .map((alias) => alias.trim())
        .filter(Boolean),
      ...(address.trim() ? { IPv4Address: address.trim() } : {}),
    });
    if (!parsed.success) {
      const next: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field =
          issue.path[0] === 'IPv4Address' || issue.path[0] === 'Aliases' ? issue.path[0] : 'container';
        next[field] ??= field === 'container' ? 'choose a container' : issue.message;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    const name = choices.find((choice) => choice.id === container)?.name ?? container;
    // A refusal (an address taken or outside the subnet) shows below from connect.error.
    connect.mutate(
      { hostId, ...parsed.data },
      {
        onSuccess: async () => {
          toast.success(`${name} connected to ${network}`);
          setContainer('');
          setAliases('');
          setAddress('');
          await queryClient.invalidateQueries({ queryKey: trpc.networks.pathKey() });
        },
      },
    );
  };

  return (
    <form
      aria-label="Connect a container"
      onSubmit={submit}
      noValidate
      className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-800"
    >
      <h3 className="font-medium">Connect a container</h3>
      <div className="grid gap-3 sm:grid-cols-3">
        <FieldRow id="connect-container" label="Container" error={errors.container}>
          <select
            id="connect-container"
            aria-invalid={errors.container ? true : undefined}
            value={container}
            onChange={(event) => setContainer(event.target.value)}
            className={inputClass}
          >
            <option value="">
              {containers.isPending ? 'Loading…' : choices.length ? 'Choose…' : 'No other containers'}
            </option>
            {choices.map((choice) => (
              <option key={choice.id} value={choice.id}>
                {choice.name} ({choice.state})
              </option>
            ))}
          </select>
        </FieldRow>
        <FieldRow
          id="connect-aliases"
          label="Aliases"
          hint="Optional; names other members may use"
          error={errors.Aliases}
        >
          <input
            {...describedBy('connect-aliases', errors.Aliases)}
            value={aliases}
            onChange={(event) => setAliases(event.target.value)}
            className={inputClass}
            autoComplete="off"
            placeholder="db, primary"
          />
        </FieldRow>
        <FieldRow
          id="connect-ip"
          label="IPv4 address"
          hint="Optional; inside the subnet"
          error={errors.IPv4Address}
        >
          <input
            {...describedBy('connect-ip', errors.IPv4Address)}
            value={address}
            onChange={(event) => setAddress(event.target.value)}
            className={`${inputClass} font-mono`}
            autoComplete="off"
          />
        </FieldRow>
      </div>
      {containers.isError && <ErrorNote>{containers.error.message}</ErrorNote>}
      {connect.isError && <ErrorNote>{connect.error.message}</ErrorNote>}
      <Button type="submit" disabled={connect.isPending}>
        {connect.isPending ? 'Connecting…' : 'Connect'}
      </Button>
    </form>
  );
}
