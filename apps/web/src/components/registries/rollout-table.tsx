import type { RegistryHostOutcome, RegistrySettingsDigest } from '@stevedore/shared';

type Row = Omit<RegistryHostOutcome, 'result'> & { result: RegistryHostOutcome['result'] | null };

const resultStyle: Record<RegistryHostOutcome['result'], string> = {
  applied: 'text-emerald-700 dark:text-emerald-300',
  unchanged: 'text-slate-600 dark:text-slate-400',
  skipped: 'text-slate-600 dark:text-slate-400',
  failed: 'text-red-700 dark:text-red-300',
  'rolled-back': 'text-amber-700 dark:text-amber-300',
  'rollback-failed': 'text-red-700 dark:text-red-300',
};

function Settings({ value }: { value: RegistrySettingsDigest | null }) {
  if (!value) return <span>—</span>;
  return (
    <span className="block space-y-0.5 text-xs">
      <span className="block break-all font-mono">
        {value.mirrors.length > 0 ? value.mirrors.join(', ') : 'no mirrors'}
      </span>
      <span className="block">
        {value.insecure ? 'insecure' : 'TLS'}
        {value.ca ? ` · CA ${value.ca}` : ''}
      </span>
    </span>
  );
}

/** Shown above a cell's value when the table is stacked (narrow screens), where there is no header row. */
function NarrowLabel({ children }: { children: string }) {
  return (
    <span className="mb-0.5 block text-[11px] font-medium uppercase text-slate-500 sm:hidden dark:text-slate-400">
      {children}
    </span>
  );
}

/**
 * Each host's change (before → after), and its result once rolled out. Below `sm` each host is a
 * small card (host and result, then before and after side by side) instead of four narrow columns.
 */
export function RolloutTable({ title, rows }: { title: string; rows: Row[] }) {
  return (
    <section className="space-y-2" data-testid="rollout-table">
      <h2 className="text-lg font-semibold break-words">{title}</h2>
      <div className="sm:overflow-x-auto">
        <table className="block w-full text-left text-sm sm:table">
          <thead className="hidden text-xs uppercase text-slate-500 sm:table-header-group dark:text-slate-400">
            <tr>
              <th className="py-2 pr-3 font-medium">Host</th>
              <th className="py-2 pr-3 font-medium">Before</th>
              <th className="py-2 pr-3 font-medium">After</th>
              <th className="py-2 font-medium">Result</th>
            </tr>
          </thead>
          <tbody className="block divide-y divide-slate-200 sm:table-row-group dark:divide-slate-800">
            {rows.map((row) => (
              <tr
                key={row.hostId}
                data-testid="rollout-row"
                data-host={row.hostName}
                data-result={row.result ?? (row.changed ? 'changes' : 'unchanged')}
                className="grid grid-cols-2 gap-x-3 gap-y-2 py-3 sm:table-row sm:py-0"
              >
                <td className="order-1 font-medium break-all sm:order-none sm:table-cell sm:py-2 sm:pr-3">
                  {row.hostName}
                </td>
                <td className="order-3 min-w-0 sm:order-none sm:table-cell sm:py-2 sm:pr-3">
                  <NarrowLabel>Before</NarrowLabel>
                  <Settings value={row.before} />
                </td>
                <td className="order-4 min-w-0 sm:order-none sm:table-cell sm:py-2 sm:pr-3">
                  <NarrowLabel>After</NarrowLabel>
                  <Settings value={row.after} />
                </td>
                <td className="order-2 text-right text-xs sm:order-none sm:table-cell sm:py-2 sm:text-left">
                  {row.result ? (
                    <span className={resultStyle[row.result]}>{row.result}</span>
                  ) : row.error ? null : (
                    <span
                      className={
                        row.changed
                          ? 'text-amber-700 dark:text-amber-300'
                          : 'text-slate-600 dark:text-slate-400'
                      }
                    >
                      {row.changed ? 'will change' : 'already so'}
                    </span>
                  )}
                  {row.error && <span className="block text-red-700 dark:text-red-300">{row.error}</span>}
                  {row.durationMs !== null && (
                    <span className="block text-slate-500">{row.durationMs} ms</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
