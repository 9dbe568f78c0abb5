'use client';

import type { HostConnectionInput, HostSummary } from '@stevedore/shared';
import {
  DEFAULT_AGENT_SOCKET,
  formatHostLabels,
  HostConnectionInput as HostConnectionSchema,
  parseHostLabels,
} from '@stevedore/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ComponentProps, type FormEvent, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { AgentInstallPanel } from './agent-install-panel';
import { useToast } from './toasts';
import { Button, ErrorNote, Field, SecondaryButton, SuccessNote, TextArea } from './ui';

type Transport = 'tls' | 'ssh';

function readConnection(data: FormData, transport: Transport): HostConnectionInput {
  const text = (key: string) => String(data.get(key) ?? '').trim();
  if (transport === 'ssh') {
    return {
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
    transport: 'tls',
    url: text('url'),
    token: text('token'),
    ...(text('caCert') ? { caCert: text('caCert') } : {}),
  };
}

/** The form's label of each connection field, to name it in an error. */
const FIELD_LABELS: Record<string, string> = {
  url: 'Agent URL',
  token: 'Token',
  caCert: 'CA certificate',
  sshHost: 'SSH host',
  sshPort: 'SSH port',
  sshUser: 'SSH user',
  privateKey: 'Private key',
  password: 'Password',
  socketPath: 'Agent socket on the host',
  hostKeyFingerprint: 'Host key fingerprint',
};

/**
 * Checks a connection with the schema the server uses: null when valid, otherwise the first
 * problem of each field, by field id.
 */
function connectionProblems(connection: HostConnectionInput): Record<string, string> | null {
  const parsed = HostConnectionSchema.safeParse(connection);
  if (parsed.success) return null;
  const problems: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'connection');
    problems[field] ??= `${FIELD_LABELS[field] ?? field}: ${issue.message}`;
  }
  return problems;
}

/**
 * Adds a host, or edits one (`host` given): direct over TLS + token, or over SSH to the agent's
 * socket. Admins only; the server checks that too.
 */
export function HostForm({ host, onDone }: { host?: HostSummary; onDone(): void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const editing = host !== undefined;
  const [transport, setTransport] = useState<Transport>(host?.transport === 'ssh' ? 'ssh' : 'tls');
  // Editing keeps the stored connection unless the admin asks to replace it.
  const [replaceConnection, setReplaceConnection] = useState(!editing);
  const [tested, setTested] = useState<string | null>(null);
  const [labelError, setLabelError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  /** Which action the error shown belongs to: only the latest one's outcome is shown. */
  const [lastAction, setLastAction] = useState<'test' | 'save' | 'install' | null>(null);
  const [installJob, setInstallJob] = useState<string | null>(null);
  const install = useMutation(
    trpc.hosts.installAgent.mutationOptions({ onSuccess: ({ jobId }) => setInstallJob(jobId) }),
  );
  const test = useMutation(
    trpc.hosts.test.mutationOptions({
      onSuccess: (info) =>
        setTested(`Connected: ${info.Name}, Stevedore ${info.ServerVersion}, ${info.NCPU} CPUs`),
    }),
  );
  const done = async (message: string) => {
    await queryClient.invalidateQueries({ queryKey: trpc.hosts.pathKey() });
    toast.success(message);
    onDone();
  };
  const create = useMutation(
    trpc.hosts.create.mutationOptions({ onSuccess: (added) => done(`Host ${added.name} added`) }),
  );
  const update = useMutation(
    trpc.hosts.update.mutationOptions({ onSuccess: (saved) => done(`Host ${saved.name} saved`) }),
  );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const parsed = parseHostLabels(String(data.get('labels') ?? ''));
    if ('error' in parsed) {
      setLabelError(parsed.error);
      return;
    }
    setLabelError(null);
    const name = String(data.get('name') ?? '').trim();
    const connection = replaceConnection ? readConnection(data, transport) : undefined;
    const problems = connection ? connectionProblems(connection) : null;
    setFieldErrors(problems ?? {});
    if (problems) return;
    setLastAction('save');
    setTested(null);
    test.reset();
    install.reset();
    if (host)
      update.mutate({ hostId: host.id, name, labels: parsed.labels, ...(connection ? { connection } : {}) });
    else if (connection) create.mutate({ name, labels: parsed.labels, ...connection });
  };
  const error =
    lastAction === 'test'
      ? test.error && { message: `Test connection failed: ${test.error.message}` }
      : lastAction === 'install'
        ? install.error
        : (create.error ?? update.error);
  const fieldError = (id: string) =>
    fieldErrors[id] ? (
      <p id={`${id}-error`} role="alert" className="text-sm text-red-700 dark:text-red-400">
        {fieldErrors[id]}
      </p>
    ) : null;
  const invalid = (id: string) =>
    fieldErrors[id] ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
  /** A field with its server-side error below it, tied to it for screen readers. */
  const checkedField = (props: ComponentProps<typeof Field>) => (
    <>
      <Field {...props} {...invalid(props.id)} />
      {fieldError(props.id)}
    </>
  );
  const pending = create.isPending || update.isPending;
  const title = editing ? `Edit host ${host.name}` : 'Add host';

  return (
    <form
      onSubmit={submit}
      aria-label={title}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 className="font-semibold">{editing ? `Edit ${host.name}` : 'Add a host'}</h2>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Name" id="name" required placeholder="edge-1" defaultValue={host?.name} />
        <Field
          label="Labels"
          id="labels"
          placeholder="env=prod, region=eu"
          defaultValue={host ? formatHostLabels(host.labels) : ''}
          aria-invalid={labelError !== null}
        />
      </div>
      {labelError && <ErrorNote>{labelError}</ErrorNote>}
      {editing && (
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={replaceConnection}
            onChange={(event) => setReplaceConnection(event.target.checked)}
          />
          Change how the dashboard connects ({host.address})
        </label>
      )}
      {replaceConnection && (
        <>
          <fieldset className="flex flex-wrap gap-4 text-sm">
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
                    setFieldErrors({});
                    setLastAction(null);
                    test.reset();
                    create.reset();
                    update.reset();
                  }}
                />
                {label}
              </label>
            ))}
          </fieldset>
          {transport === 'tls' ? (
            <>
              {checkedField({
                label: 'Agent URL',
                id: 'url',
                required: true,
                placeholder: 'https://10.0.0.5:2376',
              })}
              {checkedField({
                label: 'Token',
                id: 'token',
                type: 'password',
                required: true,
                autoComplete: 'off',
              })}
              {fieldError('caCert')}
              <TextArea label="CA certificate (PEM, to pin a self-signed agent)" id="caCert" rows={4} />
            </>
          ) : (
            <>
              <div className="grid gap-3 sm:grid-cols-[1fr_8rem_10rem]">
                <Field
                  label="SSH host"
                  id="sshHost"
                  required
                  placeholder="10.0.0.5"
                  {...invalid('sshHost')}
                />
                <Field label="SSH port" id="sshPort" type="number" min={1} max={65535} defaultValue={22} />
                <Field label="SSH user" id="sshUser" required defaultValue="root" />
              </div>
              {fieldError('sshHost')}
              {fieldError('sshPort')}
              {fieldError('sshUser')}
              <TextArea label="Private key (OpenSSH or PEM)" id="privateKey" rows={4} />
              {fieldError('privateKey')}
              {fieldError('password')}
              {fieldError('socketPath')}
              <Field label="or password" id="password" type="password" autoComplete="off" />
              <Field label="Agent socket on the host" id="socketPath" defaultValue={DEFAULT_AGENT_SOCKET} />
              {checkedField({
                label: host?.sshHostKey
                  ? 'Host key fingerprint (optional; empty keeps the pinned key)'
                  : 'Host key fingerprint (optional; otherwise pinned on first use)',
                id: 'hostKeyFingerprint',
                placeholder: host?.sshHostKey ?? 'SHA256:…',
              })}
              {fieldError('connection')}
              <details className="text-sm">
                <summary className="cursor-pointer rounded focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500">
                  Agent installation options
                </summary>
                <div className="mt-2 grid gap-3 sm:grid-cols-3">
                  <Field label="Install directory" id="installDir" placeholder="/opt/stevedore" />
                  <Field label="Data root" id="dataRoot" placeholder="/var/lib/stevedore" />
                  <Field label="Exec root" id="execRoot" placeholder="/run/stevedore" />
                </div>
              </details>
            </>
          )}
        </>
      )}
      {installJob && (
        <AgentInstallPanel
          jobId={installJob}
          title="Installing the agent"
          onClose={() => setInstallJob(null)}
          onDone={(done) => setTested(`Agent ${done.version} installed; host key ${done.hostKeyFingerprint}`)}
        />
      )}
      {error && <ErrorNote>{error.message}</ErrorNote>}
      {tested && !test.isError && <SuccessNote>{tested}</SuccessNote>}
      <div className="flex flex-wrap gap-2">
        {replaceConnection && (
          <SecondaryButton
            type="button"
            disabled={test.isPending}
            onClick={(event) => {
              setTested(null);
              const form = event.currentTarget.form;
              if (!form?.reportValidity()) return;
              const connection = readConnection(new FormData(form), transport);
              const problems = connectionProblems(connection);
              setFieldErrors(problems ?? {});
              if (problems) return;
              // The newest outcome is the one shown: an older save error must not hide this test's.
              setLastAction('test');
              create.reset();
              update.reset();
              install.reset();
              test.mutate(connection);
            }}
          >
            {test.isPending ? 'Testing…' : 'Test connection'}
          </SecondaryButton>
        )}
        {replaceConnection && transport === 'ssh' && (
          <SecondaryButton
            type="button"
            disabled={install.isPending || installJob !== null}
            onClick={(event) => {
              const form = event.currentTarget.form;
              const connection = form?.reportValidity() ? readConnection(new FormData(form), 'ssh') : null;
              if (connection?.transport !== 'ssh' || !form) return;
              setLastAction('install');
              test.reset();
              create.reset();
              update.reset();
              const data = new FormData(form);
              const optional = (key: string) => String(data.get(key) ?? '').trim() || undefined;
              const installDir = optional('installDir');
              const dataRoot = optional('dataRoot');
              const execRoot = optional('execRoot');
              install.mutate({
                target: connection,
                ...(installDir ? { installDir } : {}),
                ...(dataRoot ? { dataRoot } : {}),
                ...(execRoot ? { execRoot } : {}),
              });
            }}
          >
            Install agent on this host
          </SecondaryButton>
        )}
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : editing ? 'Save host' : 'Add host'}
        </Button>
        <SecondaryButton type="button" onClick={onDone}>
          Cancel
        </SecondaryButton>
      </div>
    </form>
  );
}
