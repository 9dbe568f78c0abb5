'use client';

import { bytesSize, countOf, type PrunePolicy, type SavePrunePolicy } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { ActionDialog } from '../container-page/action-dialog';
import { Button, ErrorNote, SecondaryButton, SuccessNote } from '../ui';
import { Card, inputClass, mutedText } from './card';
import { PruneItems } from './prune-items';
import { PruneRuns } from './prune-runs';

interface Draft {
  enabled: boolean;
  images: string;
  containers: string;
  unusedVolumes: boolean;
  intervalHours: string;
}

const toDraft = (policy: PrunePolicy): Draft => ({
  enabled: policy.enabled,
  images: policy.danglingImagesDays === null ? '' : String(policy.danglingImagesDays),
  containers: policy.stoppedContainersDays === null ? '' : String(policy.stoppedContainersDays),
  unusedVolumes: policy.unusedVolumes,
  intervalHours: String(policy.intervalHours),
});

const days = (text: string) => (text.trim() === '' ? null : Number(text));
const validDays = (text: string) => {
  const value = days(text);
  return value === null || (Number.isInteger(value) && value >= 0 && value <= 3650);
};

/** Scheduled clean-up of one host, its dry run and the record of its runs. */
export function PrunePolicyPanel({ hostId, isAdmin }: { hostId: string; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = useId();
  const policy = useQuery(trpc.disk.prunePolicy.queryOptions({ hostId }));
  const [draft, setDraft] = useState<Draft | null>(null);
  const [previewOf, setPreviewOf] = useState<SavePrunePolicy | null>(null);
  const [confirmRun, setConfirmRun] = useState(false);
  useEffect(() => {
    if (policy.data) setDraft(toDraft(policy.data));
  }, [policy.data]);
  const preview = useQuery({
    ...trpc.disk.previewPrune.queryOptions(
      previewOf ?? {
        hostId,
        enabled: false,
        danglingImagesDays: null,
        stoppedContainersDays: null,
        unusedVolumes: false,
        intervalHours: 24,
      },
    ),
    enabled: previewOf !== null,
    staleTime: 0,
  });
  const refreshAfterRun = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.disk.pruneRuns.queryKey({ hostId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.disk.overview.queryKey({ hostId }) });
    setPreviewOf(null);
  };
  const save = useMutation(
    trpc.disk.savePrunePolicy.mutationOptions({
      onSuccess: (data) => queryClient.setQueryData(trpc.disk.prunePolicy.queryKey({ hostId }), data),
    }),
  );
  const run = useMutation(
    trpc.disk.runPrune.mutationOptions({ onSuccess: refreshAfterRun, onSettled: () => setConfirmRun(false) }),
  );

  if (policy.isError) {
    return (
      <Card title="Scheduled clean-up" testId="prune-policy">
        <ErrorNote>{policy.error.message}</ErrorNote>
      </Card>
    );
  }
  if (!draft || !policy.data) {
    return (
      <Card title="Scheduled clean-up" testId="prune-policy">
        <p className={mutedText}>Loading…</p>
      </Card>
    );
  }
  const problems = [
    !validDays(draft.images) && 'dangling images: days from 0 to 3650, or empty for never',
    !validDays(draft.containers) && 'stopped containers: days from 0 to 3650, or empty for never',
    !(
      Number.isInteger(Number(draft.intervalHours)) &&
      Number(draft.intervalHours) >= 1 &&
      Number(draft.intervalHours) <= 720
    ) && 'interval: hours from 1 to 720',
  ].filter((problem): problem is string => typeof problem === 'string');
  const asInput = (): SavePrunePolicy => ({
    hostId,
    enabled: draft.enabled,
    danglingImagesDays: days(draft.images),
    stoppedContainersDays: days(draft.containers),
    unusedVolumes: draft.unusedVolumes,
    intervalHours: Number(draft.intervalHours),
  });
  const set = (changes: Partial<Draft>) => setDraft({ ...draft, ...changes });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (problems.length === 0) save.mutate(asInput());
  };
  const saved = policy.data;
  return (
    <Card
      title="Scheduled clean-up"
      testId="prune-policy"
      aside={
        <span data-testid="prune-schedule" className="text-sm text-slate-600 dark:text-slate-400">
          {saved.enabled && saved.nextRunAt
            ? `next run ${new Date(saved.nextRunAt).toLocaleString()}`
            : 'not scheduled'}
        </span>
      }
    >
      <form onSubmit={submit} className="space-y-3" aria-label="Prune policy">
        <fieldset disabled={!isAdmin || save.isPending} className="space-y-3">
          <label className="flex items-center gap-2 text-sm font-medium">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => set({ enabled: e.target.checked })}
            />
            Run this policy on a schedule
          </label>
          <div className="grid gap-3 sm:grid-cols-3">
            <div className="space-y-1">
              <label htmlFor={`${ids}-images`} className="block text-sm font-medium">
                Dangling images older than (days)
              </label>
              <input
                id={`${ids}-images`}
                name="dangling-images-days"
                inputMode="numeric"
                placeholder="never"
                className={inputClass}
                value={draft.images}
                onChange={(e) => set({ images: e.target.value })}
              />
            </div>
            <div className="space-y-1">
              <label htmlFor={`${ids}-containers`} className="block text-sm font-medium">
                Containers stopped for (days)
              </label>
              <input
                id={`${ids}-containers`}
                name="stopped-containers-days"
                inputMode="numeric"
                placeholder="never"
                className={inputClass}
                value={draft.containers}
                onChange={(e) => set({ containers: e.target.value })}
              />
            </div>
            <div className="space-y-1">
              <label htmlFor={`${ids}-interval`} className="block text-sm font-medium">
                Every (hours)
              </label>
              <input
                id={`${ids}-interval`}
                name="interval-hours"
                inputMode="numeric"
                className={inputClass}
                value={draft.intervalHours}
                onChange={(e) => set({ intervalHours: e.target.value })}
              />
            </div>
          </div>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              className="mt-0.5"
              checked={draft.unusedVolumes}
              onChange={(e) => set({ unusedVolumes: e.target.checked })}
            />
            <span>
              Also remove volumes no container uses. Off by default: a volume is often the only copy of its
              data.
            </span>
          </label>
        </fieldset>
        {problems.map((problem) => (
          <p key={problem} className="text-xs text-red-700 dark:text-red-300">
            {problem}
          </p>
        ))}
        <div className="flex flex-wrap gap-2">
          <SecondaryButton
            type="button"
            disabled={problems.length > 0 || preview.isFetching}
            onClick={() => setPreviewOf(asInput())}
          >
            {preview.isFetching ? 'Looking…' : 'Preview (dry run)'}
          </SecondaryButton>
          {isAdmin && (
            <>
              <Button type="submit" disabled={problems.length > 0 || save.isPending}>
                {save.isPending ? 'Saving…' : 'Save policy'}
              </Button>
              <SecondaryButton type="button" disabled={run.isPending} onClick={() => setConfirmRun(true)}>
                {run.isPending ? 'Running…' : 'Run saved policy now'}
              </SecondaryButton>
            </>
          )}
        </div>
        {!isAdmin && <p className={mutedText}>Only admins change or run a host's clean-up policy.</p>}
        {save.isError && <ErrorNote>{save.error.message}</ErrorNote>}
        {save.isSuccess && <SuccessNote>Policy saved.</SuccessNote>}
        {run.isError && <ErrorNote>{run.error.message}</ErrorNote>}
        {run.isSuccess && (
          <SuccessNote>
            Removed {countOf(run.data.removed.length, 'item')}, freed {bytesSize(run.data.bytesFreed)}
            {run.data.errors.length > 0 ? `; ${run.data.errors.length} failed` : ''}.
          </SuccessNote>
        )}
      </form>
      {preview.isError && previewOf && <ErrorNote>{preview.error.message}</ErrorNote>}
      {preview.data && previewOf && (
        <div data-testid="prune-preview" className="space-y-2">
          <p className="text-sm font-medium">
            Dry run: {countOf(preview.data.items.length, 'item')} would go, freeing{' '}
            {bytesSize(preview.data.bytes)}.
          </p>
          <PruneItems items={preview.data.items} empty="Nothing matches these rules right now." />
        </div>
      )}
      <PruneRuns hostId={hostId} />
      <ActionDialog
        open={confirmRun}
        title="Run the clean-up now?"
        confirmLabel="Remove"
        danger
        busy={run.isPending}
        onConfirm={() => run.mutate({ hostId })}
        onClose={() => setConfirmRun(false)}
      >
        <p>
          Removes what the saved policy selects right now (use the dry run to see it first). Removed images,
          containers and volumes cannot be brought back.
        </p>
      </ActionDialog>
    </Card>
  );
}
