import { bytesSize, countOf, type DiskUsageRow } from '@stevedore/shared';
import { Card } from './card';

const COLOURS: Record<DiskUsageRow['type'], string> = {
  Images: 'bg-sky-500',
  Containers: 'bg-violet-500',
  'Local Volumes': 'bg-emerald-500',
  'Build Cache': 'bg-amber-500',
  Logs: 'bg-rose-500',
  'Unfinished Downloads': 'bg-slate-400',
};

const STRIPES =
  'bg-[repeating-linear-gradient(45deg,rgba(255,255,255,.6)_0_3px,transparent_3px_6px)] dark:bg-[repeating-linear-gradient(45deg,rgba(15,23,42,.6)_0_3px,transparent_3px_6px)]';

/**
 * `system df` as a chart: one stacked bar of everything the engine holds, then a bar per kind
 * whose striped part is what pruning would free.
 */
export function DiskUsageChart({ rows }: { rows: DiskUsageRow[] }) {
  const total = rows.reduce((sum, row) => sum + row.size, 0);
  const reclaimable = rows.reduce((sum, row) => sum + row.reclaimable, 0);
  const largest = Math.max(1, ...rows.map((row) => row.size));
  return (
    <Card
      title="Disk use by kind"
      testId="disk-usage"
      aside={
        <span
          data-testid="disk-usage-total"
          className="text-sm tabular-nums text-slate-600 dark:text-slate-400"
        >
          {bytesSize(total)} in all · {bytesSize(reclaimable)} reclaimable
        </span>
      }
    >
      <div
        className="flex h-4 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
        aria-hidden
      >
        {rows
          .filter((row) => row.size > 0)
          .map((row) => (
            <div
              key={row.type}
              className={COLOURS[row.type]}
              style={{ width: `${(row.size / Math.max(1, total)) * 100}%` }}
              title={`${row.type}: ${bytesSize(row.size)}`}
            />
          ))}
      </div>
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-xs text-slate-500">
            <th className="py-1 pr-2 font-medium">Kind</th>
            <th className="hidden py-1 pr-2 font-medium sm:table-cell">Size and reclaimable</th>
            <th className="py-1 pr-2 text-right font-medium">Size</th>
            <th className="py-1 text-right font-medium">Reclaimable</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.type}
              data-testid={`df-row-${row.type.toLowerCase().replaceAll(' ', '-')}`}
              className="border-t border-slate-100 dark:border-slate-800"
            >
              <td className="py-1.5 pr-2">
                <span
                  className={`mr-2 inline-block h-2.5 w-2.5 rounded-sm ${COLOURS[row.type]}`}
                  aria-hidden
                />
                {row.type}
                <span className="ml-1 block text-xs text-slate-500 sm:inline">
                  {row.type === 'Logs' ? countOf(row.total, 'file') : `${row.active} of ${row.total} in use`}
                </span>
              </td>
              <td className="hidden w-2/5 py-1.5 pr-2 sm:table-cell">
                <div className="relative h-2.5 w-full rounded-full bg-slate-100 dark:bg-slate-800">
                  <div
                    className={`absolute inset-y-0 left-0 rounded-full ${COLOURS[row.type]}`}
                    style={{ width: `${(row.size / largest) * 100}%` }}
                  />
                  <div
                    className={`absolute inset-y-0 left-0 rounded-full ${STRIPES}`}
                    style={{ width: `${(row.reclaimable / largest) * 100}%` }}
                    title={`reclaimable: ${bytesSize(row.reclaimable)}`}
                  />
                </div>
              </td>
              <td className="py-1.5 pr-2 text-right font-mono tabular-nums">{bytesSize(row.size)}</td>
              <td className="py-1.5 text-right font-mono tabular-nums">{bytesSize(row.reclaimable)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-xs text-slate-500">
        Striped: what removing unused images, stopped containers, unused volumes and unfinished downloads
        would free. Logs are every container's log files, rotated ones included; a stopped container's logs go
        with it.
      </p>
    </Card>
  );
}
