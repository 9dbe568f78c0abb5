'use client';

import { bytesSize, countOf, type DataRootInfo } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { ActionDialog } from '../container-page/action-dialog';
import { Button, ErrorNote, SecondaryButton } from '../ui';
import { Card, inputClass, mutedText } from './card';
import { MigrationProgress } from './migration-progress';

const OUTCOME_WORDS = {
  finished: 'finished',
  'rolled back': 'was interrupted and rolled back',
  cancelled: 'was cancelled',
  failed: 'failed',
} as const;

/** The guided data-root migration: a target checked before anything starts, then its progress. */
export function MigrationPanel({
  hostId,
  info,
  isAdmin,
}: {
  hostId: string;
  info: DataRootInfo;
  isAdmin: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = useId();
  const [target, setTarget] = useState('');
  const [checked, setChecked] = useState<string | null>(null);
  const [stopContainers, setStopContainers] = useState(false);
  const [confirming, setConfirming] = useState<'start' | 'cancel' | null>(null);
  const job = useQuery({
    ...trpc.disk.migration.queryOptions({ hostId }),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'running' || status === 'reconnecting' ? 500 : false;
    },
  });
  const check = useQuery({
    ...trpc.disk.checkTarget.queryOptions({ hostId, target: checked ?? '/' }),
    enabled: checked !== null,
    staleTime: 0,
    gcTime: 0,
  });
  const status = job.data?.status;
  const active = status === 'running' || status === 'reconnecting';
  useEffect(() => {
    // A migration that ended changes the data-root and the space figures above.
    if (status && !active)
      void queryClient.invalidateQueries({ queryKey: trpc.disk.overview.queryKey({ hostId }) });
  }, [status, active, hostId, queryClient, trpc]);
  const start = useMutation(
    trpc.disk.startMigration.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.disk.migration.queryKey({ hostId }), data);
        setChecked(null);
        setTarget('');
      },
      onSettled: () => setConfirming(null),
    }),
  );
  const cancel = useMutation(
    trpc.disk.cancelMigration.mutationOptions({
      onSuccess: (data) => queryClient.setQueryData(trpc.disk.migration.queryKey({ hostId }), data),
      onSettled: () => setConfirming(null),
    }),
  );
  const submitCheck = (event: FormEvent) => {
    event.preventDefault();
    const value = target.trim();
    if (!value) return;
    // The same target again is checked again (the directory may have changed); a new one loads by itself.
    if (value === checked) void check.refetch();
    else setChecked(value);
  };
  const result = check.data && check.data.target === checked ? check.data : null;
  const needsStop = (result?.runningContainers.length ?? 0) > 0;
  const ready = result?.ok === true && (!needsStop || stopContainers) && !active;
  const last = info.migration.last;

  return (
    <Card title="Move the data-root" testId="migration">
      {last && job.isError && (
        <p data-testid="migration-last" className={mutedText}>
          Last migration ({new Date(last.at).toLocaleString()}) to{' '}
          <span className="font-mono">{last.target}</span> {OUTCOME_WORDS[last.outcome]}: {last.message}
        </p>
      )}
      {job.data && (
        <MigrationProgress
          job={job.data}
          canCancel={isAdmin}
          cancelling={cancel.isPending}
          onCancel={() => setConfirming('cancel')}
        />
      )}
      {cancel.isError && <ErrorNote>{cancel.error.message}</ErrorNote>}
      {!isAdmin && !active && (
        <p className={mutedText}>
          Only admins move a host's data-root. You can follow a migration here while it runs.
        </p>
      )}
      {isAdmin && !info.migratable && (
        <p className={mutedText}>
          This agent's data-root is set by its --data-root flag, which wins over the config file: start it
          with data-root in its config file to move the data-root from here.
        </p>
      )}
      {isAdmin && info.migratable && !active && (
        <form onSubmit={submitCheck} className="space-y-3" aria-label="Migration target">
          <p className={mutedText}>
            Every image, container and volume is copied to the new directory (rsync, then compared file by
            file); the agent switches to it and restarts. The old root stays until you remove it. Any failure
            keeps the old root.
          </p>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
            <div className="min-w-0 flex-1 space-y-1">
              <label htmlFor={`${ids}-target`} className="block text-sm font-medium">
                New data-root (an absolute path, new or empty)
              </label>
              <input
                id={`${ids}-target`}
                name="target"
                className={`${inputClass} font-mono`}
                placeholder="/srv/stevedore"
                value={target}
                onChange={(event) => {
                  setTarget(event.target.value);
                  setChecked(null);
                }}
                autoComplete="off"
                spellCheck={false}
              />
            </div>
            <SecondaryButton type="submit" disabled={!target.trim().startsWith('/') || check.isFetching}>
              {check.isFetching ? 'Checking…' : 'Check target'}
            </SecondaryButton>
          </div>
          {check.isError && checked && <ErrorNote>{check.error.message}</ErrorNote>}
          {result && (
            <div data-testid="migration-checks" className="space-y-2">
              <ul className="space-y-1 text-sm">
                {result.checks.map((item) => (
                  <li
                    key={item.name}
                    data-testid={`check-${item.name}`}
                    data-ok={item.ok}
                    className="flex gap-2"
                  >
                    <span aria-hidden className={item.ok ? 'text-emerald-600' : 'text-red-600'}>
                      {item.ok ? '✓' : '✗'}
                    </span>
                    <span className="sr-only">{item.ok ? 'passed:' : 'failed:'}</span>
                    <span className="break-words">{item.message}</span>
                  </li>
                ))}
              </ul>
              <p className={mutedText}>
                {bytesSize(result.neededBytes)} to copy
                {result.freeBytes !== null ? `, ${bytesSize(result.freeBytes)} free there` : ''}.
              </p>
              {needsStop && (
                <label className="flex items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="mt-0.5"
                    checked={stopContainers}
                    onChange={(event) => setStopContainers(event.target.checked)}
                  />
                  <span>
                    Stop the {countOf(result.runningContainers.length, 'running container')} (
                    {result.runningContainers.join(', ')}) for the copy and start them again after. Without
                    this the migration is refused while they run.
                  </span>
                </label>
              )}
              <Button
                type="button"
                disabled={!ready || start.isPending}
                onClick={() => setConfirming('start')}
              >
                Start migration
              </Button>
            </div>
          )}
          {start.isError && <ErrorNote>{start.error.message}</ErrorNote>}
        </form>
      )}
      <ActionDialog
        open={confirming === 'start'}
        title="Move the data-root?"
        confirmLabel="Start migration"
        busy={start.isPending}
        onConfirm={() => checked && start.mutate({ hostId, target: checked, stopContainers })}
        onClose={() => setConfirming(null)}
      >
        <p className="break-all">
          Copy {info.path} to <span className="font-mono">{checked}</span> and switch the agent to it.
        </p>
        {stopContainers && needsStop && <p>Running containers stop for the copy and start again after.</p>}
        <p>Nothing can be created on this host until it has finished.</p>
      </ActionDialog>
      <ActionDialog
        open={confirming === 'cancel'}
        title="Cancel the migration?"
        confirmLabel="Cancel migration"
        danger
        busy={cancel.isPending}
        onConfirm={() => cancel.mutate({ hostId })}
        onClose={() => setConfirming(null)}
      >
        <p>The copy made so far is deleted; the host stays on {job.data?.source ?? info.path}.</p>
      </ActionDialog>
    </Card>
  );
}
