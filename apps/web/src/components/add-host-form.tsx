'use client';

import type { CreateHostInput } from '@stevedore/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { Button, ErrorNote, Field, SecondaryButton, SuccessNote, TextArea } from './ui';

/** Adds a host reached directly over TLS with the agent's bearer token (admins only). */
export function AddHostForm({ onDone }: { onDone(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tested, setTested] = useState<string | null>(null);
  const test = useMutation(
    trpc.hosts.test.mutationOptions({
      onSuccess: (info) =>
        setTested(`Connected: ${info.Name}, Stevedore ${info.ServerVersion}, ${info.NCPU} CPUs`),
    }),
  );
  const create = useMutation(
    trpc.hosts.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.hosts.list.queryKey() });
        onDone();
      },
    }),
  );

  const read = (form: HTMLFormElement): CreateHostInput => {
    const data = new FormData(form);
    const caCert = String(data.get('caCert') ?? '').trim();
    return {
      name: String(data.get('name')),
      transport: 'tls',
      url: String(data.get('url')),
      token: String(data.get('token')),
      ...(caCert ? { caCert } : {}),
    };
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(read(event.currentTarget));
  };
  const error = create.error ?? test.error;

  return (
    <form
      onSubmit={submit}
      aria-label="Add host"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 className="font-semibold">Add a host (direct, TLS + token)</h2>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Name" id="name" required placeholder="edge-1" />
        <Field label="Agent URL" id="url" required placeholder="https://10.0.0.5:2376" />
      </div>
      <Field label="Token" id="token" type="password" required autoComplete="off" />
      <TextArea label="CA certificate (PEM, to pin a self-signed agent)" id="caCert" rows={4} />
      {error && <ErrorNote>{error.message}</ErrorNote>}
      {tested && !test.isError && <SuccessNote>{tested}</SuccessNote>}
      <div className="flex gap-2">
        <SecondaryButton
          type="button"
          disabled={test.isPending}
          onClick={(event) => {
            setTested(null);
            const form = event.currentTarget.form;
            if (form?.reportValidity()) test.mutate(read(form));
          }}
        >
          {test.isPending ? 'Testing…' : 'Test connection'}
        </SecondaryButton>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add host'}
        </Button>
        <SecondaryButton type="button" onClick={onDone}>
          Cancel
        </SecondaryButton>
      </div>
    </form>
  );
}
