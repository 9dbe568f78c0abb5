'use client';

import {
  COMMON_KILL_SIGNALS,
  type ContainerAction,
  type ContainerInspect,
  normalizeSignal,
} from '@stevedore/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { useToast } from '../toasts';
import { ErrorNote, SecondaryButton } from '../ui';
import { ActionDialog } from './action-dialog';
import { containerName } from './use-container';

type Dialog = 'kill' | 'rename' | 'remove' | null;

const small = 'px-3 py-1.5 text-xs sm:text-sm';
/** The kill and rename dialogs' text box. */
const dialogInput =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm dark:border-slate-700 dark:bg-slate-950';
const linkClass =
  'inline-flex items-center justify-center rounded-md border border-slate-300 px-3 py-1.5 text-xs font-medium hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 sm:text-sm dark:border-slate-700 dark:hover:bg-slate-800';

function lifecycleFor(state: ContainerInspect['State']): Exclude<ContainerAction, 'kill' | 'remove'>[] {
  if (state.Paused) return ['unpause'];
  if (state.Running || state.Restarting) return ['stop', 'restart', 'pause'];
  return ['start'];
}

const labels: Record<string, string> = {
  start: 'Start',
  stop: 'Stop',
  restart: 'Restart',
  pause: 'Pause',
  unpause: 'Unpause',
};

/** The container's actions for those who may operate its host; kill and remove ask first. */
export function ContainerActions({ hostId, container }: { hostId: string; container: ContainerInspect }) {
  const trpc = useTRPC();
  const toast = useToast();
  const router = useRouter();
  const queryClient = useQueryClient();
  const name = containerName(container.Name);
  const ref = { hostId, container: container.Id };
  const [dialog, setDialog] = useState<Dialog>(null);
  const [signal, setSignal] = useState<string>('SIGKILL');
  const [newName, setNewName] = useState(name);
  const [removeVolumes, setRemoveVolumes] = useState(false);
  const [force, setForce] = useState(false);
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.containers.details.inspect.queryKey(ref) });
  const settle = {
    onSettled: refresh,
    onError: (error: { message: string }) => toast.error(`${name}: ${error.message}`),
  };
  const act = useMutation(
    trpc.containers.act.mutationOptions({
      ...settle,
      onSuccess: (_, input) => toast.success(`${labels[input.action] ?? input.action}: ${name}`),
    }),
  );
  const kill = useMutation(
    trpc.containers.details.kill.mutationOptions({
      ...settle,
      onSuccess: (_, input) => {
        setDialog(null);
        toast.success(`Sent ${input.signal} to ${name}`);
      },
    }),
  );
  const rename = useMutation(
    trpc.containers.details.rename.mutationOptions({
      onSettled: refresh,
      onSuccess: (_, input) => {
        setDialog(null);
        toast.success(`Renamed ${name} to ${input.name}`);
      },
    }),
  );
  const remove = useMutation(
    trpc.containers.details.remove.mutationOptions({
      onSuccess: () => {
        setDialog(null);
        toast.success(`Removed ${name}`);
        router.push(`/hosts/${hostId}`);
      },
    }),
  );
  const busy = act.isPending || kill.isPending || rename.isPending || remove.isPending;
  const running = container.State.Running || container.State.Paused || container.State.Restarting;
  let signalError: string | null = null;
  try {
    normalizeSignal(signal);
  } catch (error) {
    signalError = (error as Error).message;
  }

  return (
    <fieldset
      className="m-0 flex min-w-0 flex-wrap items-center gap-2 border-0 p-0"
      aria-label="Container actions"
    >
      {lifecycleFor(container.State).map((action) => (
        <SecondaryButton
          key={action}
          className={small}
          disabled={busy}
          onClick={() => act.mutate({ ...ref, action })}
        >
          {labels[action]}
        </SecondaryButton>
      ))}
      {running && (
        <SecondaryButton className={small} disabled={busy} onClick={() => setDialog('kill')}>
          Kill…
        </SecondaryButton>
      )}
      <SecondaryButton
        className={small}
        disabled={busy}
        onClick={() => {
          setNewName(name);
          rename.reset();
          setDialog('rename');
        }}
      >
        Rename…
      </SecondaryButton>
      <Link className={linkClass} href={`/containers/new?host=${hostId}&from=${container.Id}`}>
        Duplicate
      </Link>
      <Link className={linkClass} href={`/hosts/${hostId}/containers/${container.Id}/edit`}>
        Edit
      </Link>
      <SecondaryButton
        className={`${small} text-red-700 dark:text-red-400`}
        disabled={busy}
        onClick={() => {
          setForce(false);
          setRemoveVolumes(false);
          remove.reset();
          setDialog('remove');
        }}
      >
        Remove…
      </SecondaryButton>

      <ActionDialog
        open={dialog === 'kill'}
        title={`Kill ${name}?`}
        confirmLabel="Send signal"
        danger
        busy={kill.isPending}
        confirmDisabled={signalError !== null}
        onClose={() => setDialog(null)}
        onConfirm={() => kill.mutate({ ...ref, signal })}
      >
        <p>
          The signal goes to the container&apos;s main process. SIGKILL cannot be caught: it stops at once.
        </p>
        <label htmlFor="kill-signal" className="block font-medium">
          Signal
        </label>
        <input
          id="kill-signal"
          list="kill-signals"
          value={signal}
          onChange={(event) => setSignal(event.target.value)}
          aria-invalid={signalError !== null}
          aria-describedby={signalError ? 'kill-signal-error' : undefined}
          className={dialogInput}
        />
        <datalist id="kill-signals">
          {COMMON_KILL_SIGNALS.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <div className="flex flex-wrap gap-1">
          {COMMON_KILL_SIGNALS.map((name) => (
            <button
              key={name}
              type="button"
              aria-pressed={signal === name}
              onClick={() => setSignal(name)}
              className={`rounded border px-2 py-0.5 font-mono text-xs ${
                signal === name
                  ? 'border-sky-600 bg-sky-50 text-sky-800 dark:bg-sky-950 dark:text-sky-200'
                  : 'border-slate-300 dark:border-slate-700'
              }`}
            >
              {name}
            </button>
          ))}
        </div>
        {signalError && (
          <p id="kill-signal-error" className="text-xs text-red-700 dark:text-red-400">
            {signalError}
          </p>
        )}
        {kill.error && <ErrorNote>{kill.error.message}</ErrorNote>}
      </ActionDialog>

      <ActionDialog
        open={dialog === 'rename'}
        title={`Rename ${name}`}
        confirmLabel="Rename"
        busy={rename.isPending}
        confirmDisabled={newName.trim() === '' || newName === name}
        onClose={() => setDialog(null)}
        onConfirm={() => rename.mutate({ ...ref, name: newName.trim() })}
      >
        <label htmlFor="rename-name" className="block font-medium">
          New name
        </label>
        <input
          id="rename-name"
          value={newName}
          onChange={(event) => setNewName(event.target.value)}
          autoComplete="off"
          spellCheck={false}
          className={dialogInput}
        />
        {rename.error && <ErrorNote>{rename.error.message}</ErrorNote>}
      </ActionDialog>

      <ActionDialog
        open={dialog === 'remove'}
        title={`Remove ${name}?`}
        confirmLabel="Remove"
        danger
        busy={remove.isPending}
        confirmDisabled={running && !force}
        onClose={() => setDialog(null)}
        onConfirm={() => remove.mutate({ ...ref, volumes: removeVolumes, force })}
      >
        <p>The container and its writable layer are deleted. This cannot be undone.</p>
        <label className="flex items-start gap-2">
          <input
            type="checkbox"
            className="mt-0.5"
            checked={removeVolumes}
            onChange={(event) => setRemoveVolumes(event.target.checked)}
          />
          <span>Also remove its anonymous volumes (named volumes are kept)</span>
        </label>
        {running && (
          <label className="flex items-start gap-2">
            <input
              type="checkbox"
              className="mt-0.5"
              checked={force}
              onChange={(event) => setForce(event.target.checked)}
            />
            <span>It is running: kill it first (force)</span>
          </label>
        )}
        {remove.error && <ErrorNote>{remove.error.message}</ErrorNote>}
      </ActionDialog>
    </fieldset>
  );
}
