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

/** Each host's change (before → after), and its result once rolled out. */
export function RolloutTable({ title, rows }: { title: string; rows: Row[] }) {
  return (
    <section className="space-y-2" data-testid="rollout-table">
      <h2 className="text-lg font-semibold">{title}</h2>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
            <tr>
              <th className="py-2 pr-3 font-medium">Host</th>
              <th className="py-2 pr-3 font-medium">Before</th>
              <th className="py-2 pr-3 font-medium">After</th>
              <th className="py-2 font-medium">Result</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {rows.map((row) => (
              <tr
                key={row.hostId}
                data-testid="rollout-row"
                data-host={row.hostName}
                data-result={row.result ?? (row.changed ? 'changes' : 'unchanged')}
              >
                <td className="py-2 pr-3 font-medium">{row.hostName}</td>
                <td className="py-2 pr-3">
                  <Settings value={row.before} />
                </td>
                <td className="py-2 pr-3">
                  <Settings value={row.after} />
                </td>
                <td className="py-2 text-xs">
                  {row.result ? (
                    <span className={resultStyle[row.result]}>{row.result}</span>
                  ) : row.error ? null : (
                    <span>{row.changed ? 'will change' : 'already so'}</span>
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
