import type { ContainerInspect } from '@stevedore/shared';

const styles: Record<string, string> = {
  running: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  paused: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200',
  restarting: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200',
  created: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  exited: 'bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200',
  dead: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
  removing: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
};

/** running / paused / exited (code) …, coloured. */
export function ContainerStateBadge({ state }: { state: ContainerInspect['State'] }) {
  const text =
    state.Status === 'exited'
      ? `exited (${state.ExitCode})${state.OOMKilled ? ' · OOM killed' : ''}`
      : state.Status;
  return (
    <span
      data-testid="container-state"
      className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${styles[state.Status] ?? ''}`}
    >
      {text}
    </span>
  );
}
