import { parseCpuSet, type UsageHistory, type UsageSeriesName } from '@stevedore/shared';

/** A container's current and peak use of one resource, beside its limit in the form. */
export interface UsageFigures {
  now: number | null;
  peak1h: number | null;
  peak24h: number | null;
}
export type UsageSummary = Record<'memory' | 'cpu' | 'pids', UsageFigures>;

const SERIES: Record<keyof UsageSummary, UsageSeriesName> = {
  memory: 'memoryWorkingSet',
  cpu: 'cpuPercent',
  pids: 'pids',
};

function peak(history: UsageHistory | undefined, series: UsageSeriesName): number | null {
  if (!history) return null;
  const columns = history.series[series];
  const values = (columns.max ?? columns.avg).filter((v): v is number => v !== null);
  return values.length === 0 ? null : Math.max(...values);
}

/** Now (the newest 1 h point) and the peaks of the last hour and day, from the usage history. */
export function usageSummary(hour: UsageHistory | undefined, day: UsageHistory | undefined): UsageSummary {
  const summary = {} as UsageSummary;
  for (const [key, series] of Object.entries(SERIES) as [keyof UsageSummary, UsageSeriesName][]) {
    const recent = hour?.series[series].avg ?? [];
    summary[key] = {
      now: recent.length > 0 ? (recent[recent.length - 1] ?? null) : null,
      peak1h: peak(hour, series),
      peak24h: peak(day, series),
    };
  }
  return summary;
}

/** [0, 1, 2, 3, 5] → "0-3,5": the cpuset syntax, shortest form. */
export function formatCpuSet(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i] as number;
    let end = start;
    while (sorted[i + 1] === end + 1) {
      end++;
      i++;
    }
    parts.push(end === start ? String(start) : end === start + 1 ? `${start},${end}` : `${start}-${end}`);
  }
  return parts.join(',');
}

/** The CPUs a cpuset text names, or null when it is not one (the field shows the error). */
export function cpusOf(text: string): number[] | null {
  if (text.trim() === '') return [];
  try {
    return parseCpuSet(text);
  } catch {
    // Not a cpuset (yet): the schema puts the message beside the field.
    return null;
  }
}
