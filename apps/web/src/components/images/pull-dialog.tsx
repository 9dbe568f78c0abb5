'use client';

import { bytesSize } from '@stevedore/shared';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTRPCClient } from '~/trpc/react';
import { Button, ErrorNote, SecondaryButton, SuccessNote } from '../ui';
import {
  applyProgress,
  EMPTY_PULL,
  type LayerView,
  layersDone,
  overallFraction,
  type PullView,
} from './pull-state';

type Stage =
  | { kind: 'idle' }
  | { kind: 'pulling' }
  | { kind: 'done'; tags: string[] }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' };

const PHASE_LABEL: Record<LayerView['phase'], string> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  extracting: 'Extracting',
  done: 'Pull complete',
  exists: 'Already exists',
};

/** A bar with its numbers; `fraction` null draws an indeterminate (striped) bar. */
function Bar({ fraction, label, tone }: { fraction: number | null; label: string; tone: string }) {
  const percent = fraction === null ? null : Math.round(fraction * 1000) / 10;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
      className="h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
    >
      <div
        className={`h-full rounded-full transition-[width] duration-150 ${tone} ${percent === null ? 'w-1/3 animate-pulse' : ''}`}
        style={percent === null ? undefined : { width: `${percent}%` }}
      />
    </div>
  );
}

function LayerRow({ layer }: { layer: LayerView }) {
  const fraction =
    layer.phase === 'done' || layer.phase === 'exists'
      ? 1
      : layer.phase === 'extracting'
        ? null
        : layer.total
          ? layer.current / layer.total
          : layer.phase === 'waiting'
            ? 0
            : null;
  const tone =
    layer.phase === 'done' || layer.phase === 'exists'
      ? 'bg-emerald-500'
      : layer.phase === 'extracting'
        ? 'bg-amber-500'
        : 'bg-sky-500';
  return (
    <li
      className="space-y-1"
      data-testid="pull-layer"
      data-layer={layer.id}
      data-phase={layer.phase}
      data-phases={layer.phases.join(' ')}
      data-current={layer.current}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-x-2 text-xs">
        <span className="font-mono">{layer.id}</span>
        <span className="text-slate-600 dark:text-slate-400" data-testid="pull-layer-status">
          {PHASE_LABEL[layer.phase]}
          {layer.phase === 'downloading' && layer.total !== null && (
            <span className="tabular-nums">
              {' '}
              {bytesSize(layer.current)} / {bytesSize(layer.total)}
              {layer.rate !== null && ` · ${bytesSize(layer.rate)}/s`}
            </span>
          )}
          {(layer.phase === 'done' || layer.phase === 'extracting') && layer.total !== null && (
            <span className="tabular-nums"> · {bytesSize(layer.total)}</span>
          )}
        </span>
      </div>
      <Bar fraction={fraction} label={`Layer ${layer.id}`} tone={tone} />
    </li>
  );
}

/** The per-layer progress of one pull (also shown for each host of a fleet-wide pull). */
export function PullProgressView({ view }: { view: PullView }) {
  const overall = overallFraction(view);
  return (
    <div className="space-y-3">
      <div className="space-y-1">
        <div className="flex justify-between text-xs text-slate-600 dark:text-slate-400">
          <span data-testid="pull-overall">
            {view.layers.length === 0
              ? 'Resolving the manifest…'
              : `${layersDone(view)} of ${view.layers.length} layers done`}
          </span>
          {overall !== null && <span className="tabular-nums">{Math.floor(overall * 100)} %</span>}
        </div>
        <Bar fraction={overall} label="Whole pull" tone="bg-sky-600" />
      </div>
      <ul className="max-h-72 space-y-2 overflow-y-auto pr-1">
        {view.layers.map((layer) => (
          <LayerRow key={layer.id} layer={layer} />
        ))}
      </ul>
    </div>
  );
}

/**
 * Pulls an image on one host with a bar per layer (bytes, rate, extracting, done). Cancel ends
 * the subscription, which stops the pull on the host.
 */
export function PullDialog({
  hostId,
  open,
  onClose,
  onPulled,
}: {
  hostId: string;
  open: boolean;
  onClose(): void;
  onPulled(): void;
}) {
  const client = useTRPCClient();
  const ref = useRef<HTMLDialogElement>(null);
  const [reference, setReference] = useState('');
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [view, setView] = useState<PullView>(EMPTY_PULL);
  const subscription = useRef<{ unsubscribe(): void } | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  useEffect(() => () => subscription.current?.unsubscribe(), []);

  const start = (event: FormEvent) => {
    event.preventDefault();
    const wanted = reference.trim();
    if (!wanted) return;
    setView(EMPTY_PULL);
    setStage({ kind: 'pulling' });
    subscription.current = client.images.pull.subscribe(
      { hostId, reference: wanted },
      {
        onData: (event) => {
          if (event.type === 'progress') {
            setView((old) => applyProgress(old, event.progress, event.at));
            return;
          }
          subscription.current?.unsubscribe();
          subscription.current = null;
          setStage({ kind: 'done', tags: event.image.repoTags });
          onPulled();
        },
        onError: (error) => {
          subscription.current = null;
          setStage({ kind: 'failed', message: error.message });
        },
      },
    );
  };
  const cancel = () => {
    subscription.current?.unsubscribe();
    subscription.current = null;
    setStage({ kind: 'cancelled' });
  };
  const close = () => {
    if (stage.kind === 'pulling') cancel();
    setStage({ kind: 'idle' });
    setView(EMPTY_PULL);
    onClose();
  };

  return (
    <dialog
      ref={ref}
      aria-label="Pull an image"
      onClose={close}
      className="m-auto w-[36rem] max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      {open && (
        <form onSubmit={start} className="space-y-4 p-5">
          <h2 className="text-lg font-semibold">Pull an image</h2>
          <div className="space-y-1">
            <label htmlFor="pull-reference" className="block text-sm font-medium">
              Image reference
            </label>
            <input
              id="pull-reference"
              value={reference}
              onChange={(e) => setReference(e.target.value)}
              disabled={stage.kind === 'pulling'}
              placeholder="registry.example.com/team/app:1.2"
              autoComplete="off"
              spellCheck={false}
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 dark:border-slate-700 dark:bg-slate-900"
            />
            <p className="text-xs text-slate-500">
              From any registry this host is configured for (mirrors and logins apply).
            </p>
          </div>
          {stage.kind !== 'idle' && (
            <section aria-label="Pull progress" data-testid="pull-progress" data-stage={stage.kind}>
              <PullProgressView view={view} />
            </section>
          )}
          <div aria-live="polite">
            {stage.kind === 'done' && <SuccessNote>Pulled {stage.tags[0] ?? reference.trim()}.</SuccessNote>}
            {stage.kind === 'failed' && <ErrorNote>{stage.message}</ErrorNote>}
            {stage.kind === 'cancelled' && (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Pull cancelled; the host stopped it.
              </p>
            )}
          </div>
          <div className="flex justify-end gap-2">
            {stage.kind === 'pulling' ? (
              <SecondaryButton type="button" onClick={cancel}>
                Cancel pull
              </SecondaryButton>
            ) : (
              <SecondaryButton type="button" onClick={close}>
                Close
              </SecondaryButton>
            )}
            <Button type="submit" disabled={stage.kind === 'pulling' || !reference.trim()}>
              {stage.kind === 'pulling' ? 'Pulling…' : stage.kind === 'idle' ? 'Pull' : 'Pull again'}
            </Button>
          </div>
        </form>
      )}
    </dialog>
  );
}
