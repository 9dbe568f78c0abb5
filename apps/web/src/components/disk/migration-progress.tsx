import { bytesSize, MIGRATION_PHASES, type MigrationJob } from '@stevedore/shared';
import { ErrorNote, SecondaryButton, SuccessNote } from '../ui';

const PHASE_LABELS: Record<MigrationJob['phase'], string> = {
  checking: 'Check',
  stopping: 'Stop containers',
  copying: 'Copy',
  verifying: 'Verify',
  switching: 'Switch',
  restarting: 'Restart',
};

const CANCELLABLE = new Set<MigrationJob['phase']>(['checking', 'stopping', 'copying', 'verifying']);

/** A migration's phases, the copy's bytes as a bar, cancel while it can be, and how it ended. */
export function MigrationProgress({
  job,
  canCancel,
  cancelling,
  onCancel,
}: {
  job: MigrationJob;
  canCancel: boolean;
  cancelling: boolean;
  onCancel(): void;
}) {
  const current = MIGRATION_PHASES.indexOf(job.phase);
  const ended = job.status !== 'running' && job.status !== 'reconnecting';
  const percent =
    job.totalBytes && job.bytes !== null && job.phasesSeen.includes('copying')
      ? Math.min(100, (job.bytes / Math.max(1, job.totalBytes)) * 100)
      : null;
  const copyDone = current > MIGRATION_PHASES.indexOf('copying');
  return (
    <div data-testid="migration-progress" data-status={job.status} className="space-y-3">
      <p className="break-all text-sm">
        <span className="font-mono">{job.source}</span> → <span className="font-mono">{job.target}</span>
        <span className="text-slate-500">
          {' '}
          · {job.startedBy ? `started by ${job.startedBy} ` : 'started '}
          {ended
            ? `${new Date(job.startedAt).toLocaleString()}, ended ${new Date(job.endedAt ?? job.startedAt).toLocaleString()}`
            : `at ${new Date(job.startedAt).toLocaleTimeString()}`}
          {job.stopContainers ? ' · stops running containers' : ''}
        </span>
      </p>
      {/* A run settled after a crash has no progress to show: its journal keeps none. */}
      {job.phasesSeen.length > 0 && (
        <ol className="grid grid-cols-3 gap-1 text-xs sm:grid-cols-6" aria-label="Migration phases">
          {MIGRATION_PHASES.map((phase, index) => {
            const skipped = phase === 'stopping' && !job.phasesSeen.includes('stopping') && index < current;
            const state =
              job.status === 'finished' || index < current
                ? skipped
                  ? 'skipped'
                  : 'done'
                : index === current && !ended
                  ? 'current'
                  : index === current
                    ? 'stopped'
                    : 'pending';
            const tone =
              state === 'done'
                ? 'border-emerald-500 text-emerald-800 dark:text-emerald-300'
                : state === 'current'
                  ? 'border-sky-500 font-semibold text-sky-800 dark:text-sky-300'
                  : state === 'stopped'
                    ? 'border-red-500 text-red-800 dark:text-red-300'
                    : 'border-slate-300 text-slate-500 dark:border-slate-700';
            return (
              <li
                key={phase}
                data-testid={`phase-${phase}`}
                data-state={state}
                aria-current={state === 'current' ? 'step' : undefined}
                className={`border-t-4 pt-1 ${tone}`}
              >
                {PHASE_LABELS[phase]}
                {state === 'skipped' ? ' (none)' : ''}
              </li>
            );
          })}
        </ol>
      )}
      {percent !== null && (
        <div>
          <div
            className="h-3 w-full rounded-full bg-slate-200 dark:bg-slate-800"
            role="progressbar"
            aria-label="Bytes copied"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(copyDone ? 100 : percent)}
          >
            <div
              className="h-3 rounded-full bg-sky-500 transition-[width] duration-300"
              style={{ width: `${copyDone ? 100 : percent}%` }}
            />
          </div>
          <p
            data-testid="migration-bytes"
            className="mt-1 text-xs tabular-nums text-slate-600 dark:text-slate-400"
          >
            {bytesSize(copyDone ? (job.totalBytes ?? 0) : (job.bytes ?? 0))} of{' '}
            {bytesSize(job.totalBytes ?? 0)} copied
            {job.files ? ` · ${job.files} files` : ''}
          </p>
        </div>
      )}
      <p
        data-testid="migration-message"
        className="break-words text-sm text-slate-600 dark:text-slate-400"
        aria-live="polite"
      >
        {job.status === 'reconnecting' ? `${job.message} …` : job.message}
      </p>
      {!ended && canCancel && CANCELLABLE.has(job.phase) && job.status === 'running' && (
        <SecondaryButton
          type="button"
          onClick={onCancel}
          disabled={cancelling}
          data-testid="migration-cancel"
        >
          {cancelling ? 'Cancelling…' : 'Cancel migration'}
        </SecondaryButton>
      )}
      {job.status === 'finished' && (
        <SuccessNote>
          Finished: the host now keeps its data in {job.target}. The old root {job.source} is kept until you
          remove it.
        </SuccessNote>
      )}
      {job.status === 'cancelled' && (
        <SuccessNote>Cancelled: the copy was removed and the host stays on {job.source}.</SuccessNote>
      )}
      {job.status === 'rolled back' && (
        <ErrorNote>
          Interrupted and rolled back: the agent stopped mid-migration (a crash or a kill) and its next start
          removed the copy. The host stays on {job.source}.
        </ErrorNote>
      )}
      {job.status === 'failed' && (
        <ErrorNote>
          Failed: {job.error ?? job.message}. The host stays on {job.source}.
        </ErrorNote>
      )}
    </div>
  );
}
