'use client';

import { countOf } from '@stevedore/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTRPC, useTRPCClient } from '~/trpc/react';
import { Button, ErrorNote } from '../ui';
import { FleetLoad, type FleetSave, FleetSaveDialog } from './fleet-archives';
import { FleetImageList } from './fleet-image-list';
import { PullProgressView } from './pull-dialog';
import { applyProgress, EMPTY_PULL, type PullView } from './pull-state';

interface HostPull {
  hostId: string;
  hostName: string;
  view: PullView;
  state: 'pulling' | 'done' | 'failed';
  error: string | null;
}

/** One reference pulled on several hosts at once, each host with its own per-layer bars. */
function FleetPull({ hosts, onPulled }: { hosts: { hostId: string; hostName: string }[]; onPulled(): void }) {
  const client = useTRPCClient();
  const [reference, setReference] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [pulls, setPulls] = useState<HostPull[]>([]);
  const subscriptions = useRef<{ unsubscribe(): void }[]>([]);
  useEffect(
    () => () => {
      for (const subscription of subscriptions.current) subscription.unsubscribe();
    },
    [],
  );
  const update = (hostId: string, change: (pull: HostPull) => HostPull) =>
    setPulls((old) => old.map((pull) => (pull.hostId === hostId ? change(pull) : pull)));
  const start = (event: FormEvent) => {
    event.preventDefault();
    const wanted = reference.trim();
    const targets = hosts.filter((host) => chosen.has(host.hostId));
    if (!wanted || targets.length === 0) return;
    for (const s of subscriptions.current) s.unsubscribe();
    setPulls(targets.map((host) => ({ ...host, view: EMPTY_PULL, state: 'pulling', error: null })));
    subscriptions.current = targets.map((host) => {
      const subscription = client.images.pull.subscribe(
        { hostId: host.hostId, reference: wanted },
        {
          onData: (data) => {
            if (data.type === 'progress') {
              update(host.hostId, (pull) => ({
                ...pull,
                view: applyProgress(pull.view, data.progress, data.at),
              }));
              return;
            }
            subscription.unsubscribe();
            update(host.hostId, (pull) => ({ ...pull, state: 'done' }));
            onPulled();
          },
          onError: (error) =>
            update(host.hostId, (pull) => ({ ...pull, state: 'failed', error: error.message })),
        },
      );
      return subscription;
    });
  };
  const pulling = pulls.some((pull) => pull.state === 'pulling');
  const cancel = () => {
    for (const s of subscriptions.current) s.unsubscribe();
    subscriptions.current = [];
    setPulls((old) =>
      old.map((pull) => (pull.state === 'pulling' ? { ...pull, state: 'failed', error: 'cancelled' } : pull)),
    );
  };
  return (
    <section
      aria-label="Pull on several hosts"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <form onSubmit={start} className="space-y-3">
        <h2 className="font-semibold">Pull on several hosts</h2>
        <div className="space-y-1">
          <label htmlFor="fleet-pull-reference" className="block text-sm font-medium">
            Image reference
          </label>
          <input
            id="fleet-pull-reference"
            value={reference}
            onChange={(e) => setReference(e.target.value)}
            disabled={pulling}
            placeholder="registry.example.com/team/app:1.2"
            autoComplete="off"
            spellCheck={false}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 dark:border-slate-700 dark:bg-slate-900"
          />
        </div>
        <fieldset className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          <legend className="mb-1 text-sm font-medium">Hosts</legend>
          {hosts.map((host) => (
            <label key={host.hostId} className="flex items-center gap-1.5">
              <input
                type="checkbox"
                className="size-4 accent-sky-600"
                disabled={pulling}
                checked={chosen.has(host.hostId)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(host.hostId);
                  else next.delete(host.hostId);
                  setChosen(next);
                }}
              />
              {host.hostName}
            </label>
          ))}
        </fieldset>
        <div className="flex gap-2">
          <Button type="submit" disabled={pulling || !reference.trim() || chosen.size === 0}>
            {pulling ? 'Pulling…' : `Pull on ${countOf(chosen.size, 'host')}`}
          </Button>
          {pulling && (
            <button
              type="button"
              onClick={cancel}
              className="text-sm text-slate-600 underline dark:text-slate-300"
            >
              Cancel
            </button>
          )}
        </div>
      </form>
      {pulls.length > 0 && (
        <ul className="grid gap-4 md:grid-cols-2">
          {pulls.map((pull) => (
            <li
              key={pull.hostId}
              data-testid="fleet-pull-host"
              data-host={pull.hostName}
              data-state={pull.state}
              className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-800"
            >
              <p className="text-sm font-medium">
                {pull.hostName}:{' '}
                <span className="font-normal text-slate-600 dark:text-slate-400">
                  {pull.state === 'done' ? 'pulled' : pull.state === 'failed' ? pull.error : 'pulling…'}
                </span>
              </p>
              <PullProgressView view={pull.view} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * /images: every host's images merged by ID, with the hosts that have each; pull on several at
 * once, save one (from a host that has it) or load an archive onto a chosen host.
 */
export function FleetImagesScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const fleet = useQuery(trpc.images.fleet.queryOptions());
  const operable = useQuery(trpc.containers.fleet.operable.queryOptions());
  const canOperate = (hostId: string) =>
    !!operable.data && (operable.data.all || operable.data.hostIds.includes(hostId));
  const pullHosts = (fleet.data?.hosts ?? []).filter(
    (host) => host.error === null && canOperate(host.hostId),
  );
  const unreachable = (fleet.data?.hosts ?? []).filter((host) => host.error !== null);
  const now = Date.now();
  const [saving, setSaving] = useState<FleetSave | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.images.fleet.queryKey() });
  return (
    <div className="space-y-4">
      {pullHosts.length > 0 && <FleetPull hosts={pullHosts} onPulled={refresh} />}
      {pullHosts.length > 0 && <FleetLoad hosts={pullHosts} onLoaded={refresh} />}
      {fleet.isError && <ErrorNote>{fleet.error.message}</ErrorNote>}
      {unreachable.length > 0 && (
        <p className="text-sm text-amber-800 dark:text-amber-200" data-testid="fleet-images-unreachable">
          Not listed: {unreachable.map((host) => `${host.hostName} (${host.error})`).join('; ')}
        </p>
      )}
      <p className="text-xs text-slate-500">
        {fleet.data
          ? `${countOf(fleet.data.rows.length, 'image')} on ${countOf(fleet.data.hosts.length - unreachable.length, 'host')}`
          : 'Loading images…'}
      </p>
      <FleetImageList
        rows={fleet.data?.rows}
        now={now}
        onSave={(row) => {
          const host = row.hosts.find((candidate) => canOperate(candidate.hostId));
          return host ? () => setSaving({ hostId: host.hostId, row }) : null;
        }}
      />
      <FleetSaveDialog saving={saving} rows={fleet.data?.rows ?? []} onClose={() => setSaving(null)} />
    </div>
  );
}
