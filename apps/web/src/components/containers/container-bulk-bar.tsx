'use client';

import type { BulkContainerResult, ContainerAction } from '@stevedore/shared';
import { ActionDialog } from '../container-page/action-dialog';
import { SecondaryButton } from '../ui';
import type { ContainerListRow } from './use-container-fleet';

export const BULK_ACTIONS: ContainerAction[] = [
  'start',
  'stop',
  'restart',
  'pause',
  'unpause',
  'kill',
  'remove',
];
export const DESTRUCTIVE: ReadonlySet<ContainerAction> = new Set(['kill', 'remove']);

/** What a confirmed action needs: the action, its rows, and for remove whether running ones are killed first. */
export interface PendingAction {
  action: ContainerAction;
  rows: ContainerListRow[];
}

export function BulkBar({
  count,
  busy,
  onAction,
  onClear,
}: {
  count: number;
  busy: boolean;
  onAction: (action: ContainerAction) => void;
  onClear: () => void;
}) {
  return (
    <div
      role="toolbar"
      aria-label="Actions on the selected containers"
      data-testid="bulk-bar"
      className="sticky top-0 z-10 flex flex-wrap items-center gap-2 rounded-lg border border-sky-200 bg-sky-50 px-3 py-2 text-sm dark:border-sky-900 dark:bg-sky-950"
    >
      <span className="font-medium" data-testid="bulk-count">
        {count} selected
      </span>
      {BULK_ACTIONS.map((action) => (
        <SecondaryButton
          key={action}
          className={`px-2 py-1 text-xs ${DESTRUCTIVE.has(action) ? 'text-red-700 dark:text-red-300' : ''}`}
          disabled={busy}
          onClick={() => onAction(action)}
        >
          {action}
        </SecondaryButton>
      ))}
      <button
        type="button"
        onClick={onClear}
        className="ml-auto rounded px-2 py-1 text-xs text-slate-600 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300"
      >
        Clear selection
      </button>
    </div>
  );
}

/** Asks before a kill or a remove of the selected containers (the same modal as the container page's). */
export function ConfirmAction({
  pending,
  onConfirm,
  onCancel,
}: {
  pending: PendingAction | null;
  onConfirm: (pending: PendingAction) => void;
  onCancel: () => void;
}) {
  const running = pending?.rows.filter((row) => row.state === 'running' || row.state === 'paused') ?? [];
  const names = pending?.rows.map((row) => row.name) ?? [];
  const verb = pending?.action === 'kill' ? 'Kill' : 'Remove';
  const count = pending?.rows.length ?? 0;
  return (
    <ActionDialog
      open={pending !== null}
      title={`${verb} ${count} ${count === 1 ? 'container' : 'containers'}?`}
      confirmLabel={verb}
      danger
      onConfirm={() => pending && onConfirm(pending)}
      onClose={onCancel}
    >
      <p className="break-words text-slate-600 dark:text-slate-300">
        {names.slice(0, 5).join(', ')}
        {names.length > 5 ? ` and ${names.length - 5} more` : ''}
      </p>
      {pending?.action === 'kill' && (
        <p>The processes are killed at once (SIGKILL); unsaved work in them is lost.</p>
      )}
      {pending?.action === 'remove' && (
        <p>
          The containers and their writable layers are deleted; named volumes stay.
          {running.length > 0 && (
            <strong className="block pt-1 text-red-700 dark:text-red-300" data-testid="confirm-force">
              {running.length} of them {running.length === 1 ? 'is' : 'are'} running and will be killed first.
            </strong>
          )}
        </p>
      )}
    </ActionDialog>
  );
}

/** Per-container outcome of the last action: what worked, what failed and why. */
export function BulkResults({
  action,
  results,
  nameOf,
  onDismiss,
}: {
  action: ContainerAction;
  results: BulkContainerResult[];
  nameOf: (result: BulkContainerResult) => string;
  onDismiss: () => void;
}) {
  const failed = results.filter((result) => !result.ok);
  return (
    <section
      aria-label="Results of the last action"
      data-testid="bulk-results"
      className="space-y-1 rounded-lg border border-slate-200 bg-white p-3 text-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-center gap-2">
        <h2 className="font-medium" role="status">
          {action}: {results.length - failed.length} of {results.length} done
          {failed.length > 0 ? `, ${failed.length} failed` : ''}
        </h2>
        <button
          type="button"
          onClick={onDismiss}
          className="ml-auto rounded px-2 text-xs text-slate-600 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300"
        >
          Dismiss
        </button>
      </div>
      <ul className="max-h-48 space-y-0.5 overflow-y-auto">
        {results.map((result) => (
          <li
            key={`${result.hostId}/${result.container}`}
            data-testid="bulk-result"
            data-ok={result.ok}
            className="flex gap-2 break-words"
          >
            <span
              className={
                result.ok ? 'text-emerald-700 dark:text-emerald-300' : 'text-red-700 dark:text-red-300'
              }
            >
              {result.ok ? '✓' : '✗'}
            </span>
            <span className="font-mono text-xs">{nameOf(result)}</span>
            {result.error && (
              <span className="min-w-0 text-xs text-red-700 dark:text-red-300">{result.error}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
