'use client';

import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { type ConsoleTarget, ConsoleTerminal } from '~/components/container-page/console-terminal';
import { useContainerInspect, useContainerRoute } from '~/components/container-page/use-container';
import { Button } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

const SHELLS = ['sh', 'bash', 'ash'] as const;
const MODES = [
  { value: 'attach', label: 'Main process (attach)' },
  { value: 'exec', label: 'New shell' },
] as const;
const control =
  'block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900';

export default function ContainerConsolePage() {
  const trpc = useTRPC();
  const { hostId } = useContainerRoute();
  const inspect = useContainerInspect();
  const access = useQuery(trpc.hosts.access.queryOptions({ hostId }));
  const tty = inspect.data?.Config.Tty === true;
  const [mode, setMode] = useState<'exec' | 'attach' | null>(null);
  const [shell, setShell] = useState<string>('sh');
  const [custom, setCustom] = useState('');
  const [user, setUser] = useState('');
  const [target, setTarget] = useState<ConsoleTarget | null>(null);
  const [generation, setGeneration] = useState(0);
  // The session opened on arrival: attach to a -t container's main process, else sh.
  const initial = useMemo<ConsoleTarget>(
    () => (tty ? { mode: 'attach' } : { mode: 'exec', command: ['sh'], user: '' }),
    [tty],
  );

  if (!inspect.data || access.isPending) return null;
  if (!access.data?.canOperate) {
    return (
      <ConsoleNote>
        A console runs commands inside the container: it needs the operator role on this host. Ask an admin to
        grant it.
      </ConsoleNote>
    );
  }
  if (!inspect.data.State.Running) {
    return (
      <ConsoleNote>The container is {inspect.data.State.Status}. Start it to open a console.</ConsoleNote>
    );
  }
  const chosenMode = mode ?? (tty ? 'attach' : 'exec');
  const command = shell === 'custom' ? custom.trim().split(/\s+/).filter(Boolean) : [shell];
  const chosen: ConsoleTarget | null =
    chosenMode === 'attach'
      ? { mode: 'attach' }
      : command.length > 0
        ? { mode: 'exec', command, user: user.trim() }
        : null;
  const active = target ?? initial;
  const connect = (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    setTarget(chosen);
    setGeneration((g) => g + 1);
  };

  return (
    <section className="space-y-3" aria-label="Console">
      <form onSubmit={connect} className="flex flex-wrap items-end gap-3" aria-label="Console session">
        {tty && (
          <fieldset className="m-0 flex items-center gap-3 border-0 p-0 text-sm">
            <legend className="sr-only">What to connect to</legend>
            {MODES.map((option) => (
              <label key={option.value} className="flex items-center gap-1">
                <input
                  type="radio"
                  name="mode"
                  checked={chosenMode === option.value}
                  onChange={() => setMode(option.value)}
                />
                {option.label}
              </label>
            ))}
          </fieldset>
        )}
        {chosenMode === 'exec' && (
          <>
            <LabelledControl id="console-shell" label="Shell">
              <select
                id="console-shell"
                className={control}
                value={shell}
                onChange={(e) => setShell(e.target.value)}
              >
                {SHELLS.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
                <option value="custom">Other command…</option>
              </select>
            </LabelledControl>
            {shell === 'custom' && (
              <TextControl
                id="console-command"
                label="Command"
                className="w-56"
                value={custom}
                placeholder="/bin/zsh -l"
                onChange={setCustom}
              />
            )}
            <TextControl
              id="console-user"
              label="User"
              className="w-36"
              value={user}
              placeholder={inspect.data.Config.User || 'root'}
              onChange={setUser}
            />
          </>
        )}
        <Button type="submit" className="px-3 py-1.5" disabled={!chosen}>
          Connect
        </Button>
      </form>
      <ConsoleTerminal
        hostId={hostId}
        containerId={inspect.data.Id}
        target={active}
        generation={generation}
        onReconnect={() => {
          setTarget(active);
          setGeneration((g) => g + 1);
        }}
      />
    </section>
  );
}

/** Why there is no console here (no right to it, or the container is not running). */
function ConsoleNote({ children }: { children: ReactNode }) {
  return (
    <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300">
      {children}
    </p>
  );
}

/** A small label above one of the session's controls. */
function LabelledControl({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-slate-500">
        {label}
      </label>
      {children}
    </div>
  );
}

/** A command or user name: monospaced, never spell-checked or autofilled. */
function TextControl({
  id,
  label,
  className,
  value,
  placeholder,
  onChange,
}: {
  id: string;
  label: string;
  className: string;
  value: string;
  placeholder: string;
  onChange(value: string): void;
}) {
  return (
    <LabelledControl id={id} label={label}>
      <input
        id={id}
        className={`${control} ${className} font-mono`}
        value={value}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
      />
    </LabelledControl>
  );
}
