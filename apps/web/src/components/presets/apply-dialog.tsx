'use client';

import type { Preset, PresetPolicy, PresetTarget } from '@stevedore/shared';
import { countOf } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useContainerFleet } from '~/components/containers/use-container-fleet';
import { DataTable, rowClass } from '~/components/data-table';
import { Button, ErrorNote, SecondaryButton } from '~/components/ui';
import { limitsSummary } from '~/lib/presets/limit-text';
import { useTRPC } from '~/trpc/react';
import { ChangeList } from './limit-cells';
import { Modal } from './modal';
import { PolicyPicker } from './policy-picker';
import { RolloutReport } from './rollout-report';
import { ContainerPicker, SelectorInput } from './target-picker';

type Step =
  | { kind: 'target' }
  | { kind: 'preview'; target: PresetTarget }
  | { kind: 'report'; rolloutId: string };

const tabClass = (active: boolean) =>
  `rounded-md px-3 py-1.5 text-sm font-medium ${active ? 'bg-sky-600 text-white' : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`;

/** Apply a preset: choose the containers, see what changes (preview), roll it out, read the report. */
export function ApplyDialog({
  preset,
  initialTarget,
  onClose,
}: {
  preset: Preset;
  /** Starts at the preview of this target (re-apply from the drift list). */
  initialTarget?: PresetTarget;
  onClose: () => void;
}) {
  const [step, setStep] = useState<Step>(
    initialTarget ? { kind: 'preview', target: initialTarget } : { kind: 'target' },
  );
  const [mode, setMode] = useState<'labels' | 'selection'>('labels');
  const [selector, setSelector] = useState('');
  const [picked, setPicked] = useState<Set<string>>(() => new Set());
  const [stopOnFailure, setStopOnFailure] = useState(false);
  const [policy, setPolicy] = useState<PresetPolicy>({ kind: 'preset' });
  const fleet = useContainerFleet();

  const target: PresetTarget | null =
    mode === 'labels'
      ? selector.trim()
        ? { kind: 'labels', selector }
        : null
      : picked.size > 0
        ? {
            kind: 'selection',
            containers: [...picked].map((key) => {
              const at = key.indexOf('/');
              return { hostId: key.slice(0, at), container: key.slice(at + 1) };
            }),
          }
        : null;

  return (
    <Modal open title={`Apply ${preset.name}`} onClose={onClose} wide>
      <p className="text-sm text-slate-600 dark:text-slate-300">{limitsSummary(preset.limits)}</p>
      {step.kind === 'target' && (
        <form
          className="space-y-4"
          aria-label="Choose containers"
          onSubmit={(event) => {
            event.preventDefault();
            if (target) setStep({ kind: 'preview', target });
          }}
        >
          <div role="tablist" aria-label="How to choose containers" className="flex gap-1">
            <button
              type="button"
              role="tab"
              aria-selected={mode === 'labels'}
              className={tabClass(mode === 'labels')}
              onClick={() => setMode('labels')}
            >
              By label
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={mode === 'selection'}
              className={tabClass(mode === 'selection')}
              onClick={() => setMode('selection')}
            >
              Pick containers
            </button>
          </div>
          {fleet.error && <ErrorNote>{fleet.error}</ErrorNote>}
          {mode === 'labels' ? (
            <SelectorInput rows={fleet.rows} selector={selector} onChange={setSelector} />
          ) : (
            <ContainerPicker rows={fleet.rows} picked={picked} onChange={setPicked} />
          )}
          <PolicyPicker policy={policy} onChange={setPolicy} />
          <div className="flex justify-end gap-2">
            <SecondaryButton type="button" onClick={onClose}>
              Cancel
            </SecondaryButton>
            <Button type="submit" disabled={!target}>
              Preview changes
            </Button>
          </div>
        </form>
      )}
      {step.kind === 'preview' && (
        <PreviewStep
          preset={preset}
          target={step.target}
          policy={policy}
          stopOnFailure={stopOnFailure}
          onStopOnFailure={setStopOnFailure}
          onBack={() => setStep({ kind: 'target' })}
          onStarted={(rolloutId) => setStep({ kind: 'report', rolloutId })}
        />
      )}
      {step.kind === 'report' && (
        <div className="space-y-3">
          <RolloutReport
            key={step.rolloutId}
            rolloutId={step.rolloutId}
            canOperate
            onRollback={(rolloutId) => setStep({ kind: 'report', rolloutId })}
          />
          <div className="flex justify-end">
            <SecondaryButton type="button" onClick={onClose}>
              Close
            </SecondaryButton>
          </div>
        </div>
      )}
    </Modal>
  );
}

function PreviewStep({
  preset,
  target,
  policy,
  stopOnFailure,
  onStopOnFailure,
  onBack,
  onStarted,
}: {
  preset: Preset;
  target: PresetTarget;
  policy: PresetPolicy;
  stopOnFailure: boolean;
  onStopOnFailure: (on: boolean) => void;
  onBack: () => void;
  onStarted: (rolloutId: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const preview = useQuery(
    trpc.presets.preview.queryOptions({ presetId: preset.id, target, policy }, { staleTime: 0, gcTime: 0 }),
  );
  const rollout = useMutation(
    trpc.presets.rollout.mutationOptions({
      onSuccess: (started) => {
        void queryClient.invalidateQueries({ queryKey: trpc.presets.pathKey() });
        onStarted(started.id);
      },
    }),
  );
  const rows = preview.data?.rows ?? [];
  const changing = rows.filter((row) => !row.error && row.changes.length > 0).length;
  const skipped = rows.filter((row) => row.skipped).length;
  // Skipped containers (too little history for a recommendation) are not touched by the rollout.
  const applying = rows.length - skipped;
  const unreachable = preview.data?.hosts.filter((host) => host.error) ?? [];
  return (
    <div className="space-y-3">
      {preview.isPending && <p className="text-sm text-slate-500">Reading the containers' current limits…</p>}
      {preview.error && <ErrorNote>{preview.error.message}</ErrorNote>}
      {unreachable.map((host) => (
        <ErrorNote key={host.hostId}>
          {host.hostName}: {host.error}
        </ErrorNote>
      ))}
      {preview.data && (
        <>
          <p className="text-sm" data-testid="preview-summary">
            {countOf(rows.length, 'container')}, {changing} to change
            {skipped > 0 && `, ${skipped} skipped`}
          </p>
          {rows.length === 0 ? (
            <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-300">
              No container matches. Go back and change the selector or the picked containers.
            </p>
          ) : (
            <div className="max-h-80 overflow-y-auto">
              <DataTable columns={['Host', 'Container', 'Old → new']}>
                {rows.map((row) => (
                  <tr
                    key={`${row.hostId}/${row.containerId}`}
                    className={rowClass}
                    data-testid="preview-row"
                    data-container={row.containerName}
                  >
                    <td className="px-4 py-2 whitespace-nowrap">{row.hostName}</td>
                    <td className="px-4 py-2">
                      <span className="font-medium">{row.containerName}</span>{' '}
                      <span className="text-xs text-slate-500">{row.state}</span>
                    </td>
                    <td className="px-4 py-2 text-xs">
                      {row.error ? (
                        <span className="text-red-700 dark:text-red-300">{row.error}</span>
                      ) : row.skipped ? (
                        <span className="text-amber-700 dark:text-amber-300">skipped: {row.skipped}</span>
                      ) : row.changes.length ? (
                        <ChangeList changes={row.changes} />
                      ) : (
                        <span className="text-slate-500">already matches</span>
                      )}
                    </td>
                  </tr>
                ))}
              </DataTable>
            </div>
          )}
        </>
      )}
      {rollout.error && <ErrorNote>{rollout.error.message}</ErrorNote>}
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-0.5"
          checked={stopOnFailure}
          onChange={(event) => onStopOnFailure(event.target.checked)}
        />
        <span>
          Stop at the first failure
          <span className="block text-xs text-slate-500 dark:text-slate-400">
            No further container is changed once one fails; what was already changed stays (roll it back from
            the report).
          </span>
        </span>
      </label>
      <div className="flex flex-wrap justify-end gap-2">
        <SecondaryButton type="button" onClick={onBack}>
          Back
        </SecondaryButton>
        <Button
          type="button"
          disabled={!preview.data || applying === 0 || rollout.isPending}
          onClick={() => rollout.mutate({ presetId: preset.id, target, stopOnFailure, policy })}
        >
          Apply to {countOf(applying, 'container')}
        </Button>
      </div>
    </div>
  );
}
