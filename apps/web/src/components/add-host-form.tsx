'use client';

import type { CreateHostInput } from '@stevedore/shared';
import { DEFAULT_AGENT_SOCKET } from '@stevedore/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { Button, ErrorNote, Field, SecondaryButton, SuccessNote, TextArea } from './ui';

type Transport = 'tls' | 'ssh';

/** Adds a host reached directly over TLS + token, or over SSH to the agent's socket (admins only). */
export function AddHostForm({ onDone }: { onDone(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [transport, setTransport] = useState<Transport>('tls');
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
        await queryClient.invalidateQueries({ queryKey: trpc.hosts.pathKey() });
        onDone();
      },
    }),
  );

  const read = (form: HTMLFormElement): CreateHostInput => {
    const data = new FormData(form);
    const text = (key: string) => String(data.get(key) ?? '').trim();
    const name = text('name');
    if (transport === 'ssh') {
      return {
        name,
        transport: 'ssh',
        sshHost: text('sshHost'),
        sshPort: Number(text('sshPort') || 22),
        sshUser: text('sshUser'),
        socketPath: text('socketPath') || DEFAULT_AGENT_SOCKET,
        ...(text('privateKey') ? { privateKey: text('privateKey') } : {}),
        ...(text('password') ? { password: String(data.get('password')) } : {}),
        ...(text('hostKeyFingerprint') ? { hostKeyFingerprint: text('hostKeyFingerprint') } : {}),
      };
    }
    return {
      name,
      transport: 'tls',
      url: text('url'),
      token: text('token'),
      ...(text('caCert') ? { caCert: text('caCert') } : {}),
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
      <h2 className="font-semibold">Add a host</h2>
      <fieldset className="flex gap-4 text-sm">
        <legend className="sr-only">Connection</legend>
        {(
          [
            ['tls', 'Direct (TLS + token)'],
            ['ssh', 'SSH (no agent port exposed)'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="flex items-center gap-2">
            <input
              type="radio"
              name="transport"
              value={value}
              checked={transport === value}
              onChange={() => {
                setTransport(value);
                setTested(null);
                test.reset();
                create.reset();
              }}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <Field label="Name" id="name" required placeholder="edge-1" />
      {transport === 'tls' ? (
        <>
          <Field label="Agent URL" id="url" required placeholder="https://10.0.0.5:2376" />
          <Field label="Token" id="token" type="password" required autoComplete="off" />
          <TextArea label="CA certificate (PEM, to pin a self-signed agent)" id="caCert" rows={4} />
        </>
      ) : (
        <>
          <div className="grid gap-3 sm:grid-cols-[1fr_8rem_10rem]">
            <Field label="SSH host" id="sshHost" required placeholder="10.0.0.5" />
            <Field label="SSH port" id="sshPort" type="number" min={1} max={65535} defaultValue={22} />
            <Field label="SSH user" id="sshUser" required defaultValue="root" />
          </div>
          <TextArea label="Private key (OpenSSH or PEM)" id="privateKey" rows={4} />
          <Field label="or password" id="password" type="password" autoComplete="off" />
          <Field label="Agent socket on the host" id="socketPath" defaultValue={DEFAULT_AGENT_SOCKET} />
          <Field
            label="Host key fingerprint (optional; otherwise pinned on first use)"
            id="hostKeyFingerprint"
            placeholder="SHA256:…"
          />
        </>
      )}
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
