'use client';

import { bytesSize, type CgroupReading, type LimitField } from '@stevedore/shared';
import { FIELD_LABELS } from '~/lib/presets/limit-text';

/** A limit's value in words: bytes as MiB/GiB, nano-CPUs as CPUs, null as unlimited. */
export function limitValueText(field: LimitField, value: number | string | null): string {
  if (value === null || value === '' || (typeof value === 'number' && value <= 0 && field !== 'MemorySwap'))
    return 'unlimited';
  if (typeof value === 'string') return value;
  if (field === 'MemorySwap' && value === -1) return 'unlimited';
  if (field.startsWith('Memory')) return bytesSize(value);
  if (field === 'NanoCpus') return `${Number((value / 1e9).toFixed(3))} CPUs`;
  if (field === 'CpuPeriod' || field === 'CpuQuota') return `${value} µs`;
  return String(value);
}

/**
 * A cell's name before its value where the table is laid out as cards (narrow screens), in place of
 * the column headers, which are hidden there.
 */
function CardLabel({ children }: { children: string }) {
  return (
    <span className="mr-2 font-sans text-xs text-slate-600 sm:hidden dark:text-slate-400">{children}</span>
  );
}

/**
 * The limits as the kernel holds them: one row per cgroup file read, its raw content, what it means
 * and what the configuration asks for; a difference is flagged. Below `sm` each row is a small card
 * (the same markup laid out as a grid: what was asked, what the kernel holds, then the file): five
 * columns do not fit a phone.
 */
export function ReadingsTable({
  readings,
  caption,
  testId,
}: {
  readings: readonly CgroupReading[];
  caption: string;
  testId: string;
}) {
  const mismatches = readings.filter((r) => !r.matches).length;
  return (
    <div className="min-w-0 sm:overflow-x-auto" data-testid={testId} data-mismatches={mismatches}>
      <table className="block w-full text-left text-sm sm:table sm:min-w-[36rem]">
        <caption className="block pb-2 text-left text-sm font-semibold sm:table-caption">
          {caption}
          {mismatches > 0 && (
            <span className="ml-2 inline-block rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200">
              {mismatches} differ{mismatches === 1 ? 's' : ''} from the configuration
            </span>
          )}
        </caption>
        <thead className="hidden text-xs text-slate-600 sm:table-header-group dark:text-slate-400">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">
              Limit
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              File
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Raw value
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Kernel holds
            </th>
            <th scope="col" className="py-1 font-medium">
              Configured
            </th>
          </tr>
        </thead>
        <tbody className="block space-y-2 sm:table-row-group sm:space-y-0">
          {readings.map((reading) => (
            <tr
              key={`${reading.field}-${reading.file}`}
              data-field={reading.field}
              data-matches={reading.matches}
              className={`grid grid-cols-2 gap-x-3 gap-y-1 rounded-md border p-2 align-top sm:table-row sm:rounded-none sm:border-x-0 sm:border-b-0 sm:p-0 ${
                reading.matches
                  ? 'border-slate-200 dark:border-slate-800'
                  : 'border-amber-300 bg-amber-50 sm:border-slate-200 dark:border-amber-800 dark:bg-amber-950/40 sm:dark:border-slate-800'
              }`}
            >
              <th scope="row" className="col-span-2 font-medium sm:py-1 sm:pr-3">
                {FIELD_LABELS[reading.field]}
                {reading.matches ? (
                  <span className="ml-2 text-xs font-normal text-emerald-700 sm:hidden dark:text-emerald-400">
                    ✓ matches
                  </span>
                ) : (
                  <span className="ml-1 text-xs font-semibold text-amber-800 dark:text-amber-300">
                    ≠ differs
                  </span>
                )}
                {reading.note && (
                  <span className="block text-xs font-normal text-slate-600 dark:text-slate-400">
                    {reading.note}
                  </span>
                )}
              </th>
              <td className="order-4 col-span-2 min-w-0 break-all font-mono text-xs sm:py-1 sm:pr-3">
                <CardLabel>File</CardLabel>
                {reading.file}
              </td>
              <td className="order-5 col-span-2 min-w-0 break-all font-mono text-xs sm:py-1 sm:pr-3">
                <CardLabel>Raw value</CardLabel>
                <span data-testid="reading-raw">{reading.raw}</span>
              </td>
              <td className="order-3 min-w-0 sm:py-1 sm:pr-3">
                <CardLabel>Kernel holds</CardLabel>
                {limitValueText(reading.field, reading.applied)}
              </td>
              <td className="order-2 min-w-0 sm:py-1">
                <CardLabel>Asked</CardLabel>
                {limitValueText(reading.field, reading.configured)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
