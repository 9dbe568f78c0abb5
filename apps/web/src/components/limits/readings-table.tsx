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
 * The limits as the kernel holds them: one row per cgroup file read, its raw content, what it means
 * and what the configuration asks for; a difference is flagged.
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
    <div className="min-w-0 overflow-x-auto" data-testid={testId} data-mismatches={mismatches}>
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="pb-2 text-left text-sm font-semibold">
          {caption}
          {mismatches > 0 && (
            <span className="ml-2 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200">
              {mismatches} differ{mismatches === 1 ? 's' : ''} from the configuration
            </span>
          )}
        </caption>
        <thead className="text-xs text-slate-600 dark:text-slate-400">
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
        <tbody>
          {readings.map((reading) => (
            <tr
              key={`${reading.field}-${reading.file}`}
              data-field={reading.field}
              data-matches={reading.matches}
              className={`border-t border-slate-200 align-top dark:border-slate-800 ${
                reading.matches ? '' : 'bg-amber-50 dark:bg-amber-950/40'
              }`}
            >
              <th scope="row" className="py-1 pr-3 font-medium">
                {FIELD_LABELS[reading.field]}
                {!reading.matches && (
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
              <td className="break-all py-1 pr-3 font-mono text-xs">{reading.file}</td>
              <td className="break-all py-1 pr-3 font-mono text-xs" data-testid="reading-raw">
                {reading.raw}
              </td>
              <td className="py-1 pr-3">{limitValueText(reading.field, reading.applied)}</td>
              <td className="py-1">{limitValueText(reading.field, reading.configured)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
