import type { PullRecord } from '@stevedore/shared';

const time = (ms: number) => new Date(ms).toLocaleString();

/** The host's last pulls and which endpoint served each: a mirror, or the registry itself. */
export function RecentPulls({ pulls }: { pulls: PullRecord[] }) {
  if (pulls.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        No pulls since the agent started. Pull an image and this shows which mirror served it.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[28rem] text-left text-sm" data-testid="recent-pulls">
        <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
          <tr>
            <th className="py-2 pr-3 font-medium">Image</th>
            <th className="py-2 pr-3 font-medium">Served by</th>
            <th className="py-2 pr-3 font-medium">When</th>
            <th className="py-2 font-medium">Result</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {pulls.map((pull) => (
            <tr key={`${pull.reference} ${pull.startedAt}`} data-testid="recent-pull">
              <td className="py-2 pr-3 font-mono text-xs break-all">{pull.reference}</td>
              <td className="py-2 pr-3">
                {pull.endpoint ? (
                  <span data-testid="pull-endpoint">
                    <span className="font-mono text-xs break-all">{pull.endpoint}</span>{' '}
                    <span
                      className={`rounded px-1.5 py-0.5 text-xs ${pull.mirror ? 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200' : 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300'}`}
                    >
                      {pull.mirror ? 'mirror' : 'registry'}
                    </span>
                    {pull.endpoints.length > 1 && (
                      <span className="block text-xs text-slate-500 dark:text-slate-400">
                        also: {pull.endpoints.slice(1).join(', ')}
                      </span>
                    )}
                  </span>
                ) : (
                  '—'
                )}
              </td>
              <td className="py-2 pr-3 whitespace-nowrap text-xs">{time(pull.finishedAt)}</td>
              <td className="py-2 text-xs">
                {pull.ok ? (
                  <span className="text-emerald-700 dark:text-emerald-300">pulled</span>
                ) : (
                  <span className="text-red-700 dark:text-red-300">{pull.error}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
