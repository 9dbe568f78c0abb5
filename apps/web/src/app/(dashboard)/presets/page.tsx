'use client';

import type { Preset, PresetTarget } from '@stevedore/shared';
import { countOf } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApplyDialog } from '~/components/presets/apply-dialog';
import { DriftList } from '~/components/presets/drift-list';
import { Modal } from '~/components/presets/modal';
import { PresetForm } from '~/components/presets/preset-form';
import { RolloutReport } from '~/components/presets/rollout-report';
import { useToast } from '~/components/toasts';
import { Button, ErrorNote, SecondaryButton } from '~/components/ui';
import { limitsSummary } from '~/lib/presets/limit-text';
import { useTRPC } from '~/trpc/react';

type Editing = { preset: Preset | null } | null;
type Applying = { preset: Preset; target?: PresetTarget } | null;

export default function PresetsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const me = useQuery(trpc.auth.status.queryOptions());
  const role = me.data?.user?.role;
  const isAdmin = role === 'admin';
  const canOperate = role === 'admin' || role === 'operator';
  const presets = useQuery(trpc.presets.list.queryOptions());
  const drift = useQuery(trpc.presets.drift.queryOptions({}, { refetchInterval: 30_000 }));
  const [editing, setEditing] = useState<Editing>(null);
  const [applying, setApplying] = useState<Applying>(null);
  const [history, setHistory] = useState<Preset | null>(null);
  const remove = useMutation(
    trpc.presets.delete.mutationOptions({
      onSuccess: () => {
        toast.success('Preset deleted');
        void queryClient.invalidateQueries({ queryKey: trpc.presets.pathKey() });
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const driftCount = (presetId: string) =>
    drift.data?.rows.filter((row) => row.presetId === presetId && row.status === 'drifted').length ?? 0;
  const closeApply = () => {
    setApplying(null);
    void queryClient.invalidateQueries({ queryKey: trpc.presets.pathKey() });
  };

  return (
    <section className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Presets</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Named sets of limits, applied live to containers across hosts.
          </p>
        </div>
        {isAdmin && <Button onClick={() => setEditing({ preset: null })}>New preset</Button>}
      </div>
      {presets.error && <ErrorNote>{presets.error.message}</ErrorNote>}
      {presets.isPending && <p className="text-sm text-slate-500">Loading…</p>}
      {presets.data?.length === 0 && (
        <div
          data-testid="presets-empty"
          className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm dark:border-slate-700 dark:bg-slate-900"
        >
          <p className="font-medium">No presets yet</p>
          <p className="mt-1 text-slate-600 dark:text-slate-400">
            A preset is a named set of limits: memory, CPUs, PIDs, restart policy. Create one, then apply it
            to containers you pick or to every container with a label (say <code>tier=web</code>) on all
            hosts: you see what changes before anything does, get a result per container, and can roll it
            back.
          </p>
          {isAdmin ? (
            <Button className="mt-3" onClick={() => setEditing({ preset: null })}>
              Create the first preset
            </Button>
          ) : (
            <p className="mt-2 text-slate-600 dark:text-slate-400">
              Admins create presets; ask one to add the first.
            </p>
          )}
        </div>
      )}
      {presets.data && presets.data.length > 0 && (
        <ul className="space-y-2" aria-label="Presets">
          {presets.data.map((preset) => {
            const drifted = driftCount(preset.id);
            return (
              <li
                key={preset.id}
                data-testid={`preset-${preset.name}`}
                className="flex flex-wrap items-start justify-between gap-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
              >
                <div className="min-w-0 flex-1 space-y-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <h2 className="font-semibold">{preset.name}</h2>
                    <span className="text-xs text-slate-500">on {countOf(preset.assigned, 'container')}</span>
                    {drifted > 0 && (
                      <span
                        data-testid="drift-badge"
                        className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-950 dark:text-amber-200"
                      >
                        {drifted} drifted
                      </span>
                    )}
                  </div>
                  {preset.description && (
                    <p className="text-sm text-slate-600 dark:text-slate-400">{preset.description}</p>
                  )}
                  <p className="text-sm break-words">{limitsSummary(preset.limits)}</p>
                </div>
                <div className="flex flex-wrap gap-2">
                  {canOperate && (
                    <Button className="px-3 py-1.5" onClick={() => setApplying({ preset })}>
                      Apply…
                    </Button>
                  )}
                  <SecondaryButton className="px-3 py-1.5" onClick={() => setHistory(preset)}>
                    Rollouts
                  </SecondaryButton>
                  {isAdmin && (
                    <>
                      <SecondaryButton className="px-3 py-1.5" onClick={() => setEditing({ preset })}>
                        Edit
                      </SecondaryButton>
                      <SecondaryButton
                        className="px-3 py-1.5 text-red-700 dark:text-red-400"
                        onClick={() => {
                          if (
                            window.confirm(
                              `Delete preset ${preset.name}? Containers keep their limits; drift is no longer watched for them.`,
                            )
                          )
                            remove.mutate({ presetId: preset.id });
                        }}
                      >
                        Delete
                      </SecondaryButton>
                    </>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {drift.error && <ErrorNote>{drift.error.message}</ErrorNote>}
      {drift.data && presets.data && presets.data.length > 0 && (
        <DriftList
          report={drift.data}
          presets={presets.data}
          canOperate={canOperate}
          onReapply={(preset, target) => setApplying({ preset, target })}
        />
      )}
      {editing && (
        <Modal
          open
          title={editing.preset ? `Edit ${editing.preset.name}` : 'New preset'}
          onClose={() => setEditing(null)}
          wide
        >
          <PresetForm preset={editing.preset} onDone={() => setEditing(null)} />
        </Modal>
      )}
      {applying && (
        <ApplyDialog
          preset={applying.preset}
          {...(applying.target ? { initialTarget: applying.target } : {})}
          onClose={closeApply}
        />
      )}
      {history && (
        <RolloutHistory preset={history} canOperate={canOperate} onClose={() => setHistory(null)} />
      )}
    </section>
  );
}

/** A preset's recent rollouts, newest first; each opens its report (with rollback). */
function RolloutHistory({
  preset,
  canOperate,
  onClose,
}: {
  preset: Preset;
  canOperate: boolean;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const rollouts = useQuery(trpc.presets.rollouts.queryOptions({ presetId: preset.id, limit: 10 }));
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Modal open title={`Rollouts of ${preset.name}`} onClose={onClose} wide>
      {rollouts.error && <ErrorNote>{rollouts.error.message}</ErrorNote>}
      {rollouts.data?.length === 0 && (
        <p className="text-sm text-slate-600 dark:text-slate-300">Not applied yet.</p>
      )}
      {open ? (
        <div className="space-y-3">
          <SecondaryButton className="px-3 py-1" onClick={() => setOpen(null)}>
            ← All rollouts
          </SecondaryButton>
          <RolloutReport key={open} rolloutId={open} canOperate={canOperate} onRollback={setOpen} />
        </div>
      ) : (
        <ul className="space-y-1 text-sm">
          {rollouts.data?.map((rollout) => (
            <li key={rollout.id}>
              <button
                type="button"
                className="text-left text-sky-700 hover:underline dark:text-sky-400"
                onClick={() => setOpen(rollout.id)}
              >
                {new Date(rollout.startedAt).toLocaleString()} · {rollout.kind} by {rollout.startedBy} ·{' '}
                {rollout.counts.ok} ok, {rollout.counts.error} failed
                {rollout.counts.skipped ? `, ${rollout.counts.skipped} skipped` : ''} · {rollout.status}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
