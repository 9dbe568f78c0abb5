import type { UsageHistory, UsageSeriesName } from '@stevedore/shared';

/** uPlot's columnar data: x (unix seconds) first, then one array per line; null breaks a line. */
export type ChartData = [number[], ...(number | null)[][]];

export interface LineSpec {
  series: UsageSeriesName;
  stat?: 'avg' | 'max' | 'p95';
}

/**
 * The columns of `lines` from a history, with a null point inserted where samples are missing
 * (the container was stopped, or the agent down), so a line is broken there instead of drawn
 * straight across: more than 5 s between 1 s samples (a tick late under load skips one second),
 * more than one and a half steps between buckets.
 */
export function chartData(history: UsageHistory, lines: readonly LineSpec[]): ChartData {
  const xs: number[] = [];
  const ys: (number | null)[][] = lines.map(() => []);
  const gap = history.step === 1 ? 5 : history.step * 1.5;
  history.timestamps.forEach((time, index) => {
    const previous = xs[xs.length - 1];
    if (previous !== undefined && time - previous > gap) {
      xs.push(previous + history.step);
      for (const column of ys) column.push(null);
    }
    xs.push(time);
    lines.forEach((line, l) => {
      const columns = history.series[line.series];
      const column = (line.stat && line.stat !== 'avg' ? columns[line.stat] : undefined) ?? columns.avg;
      ys[l]?.push(column[index] ?? null);
    });
  });
  return [xs, ...ys];
}

/** The newest value of a series, or null when there is none. */
export function latest(history: UsageHistory, series: UsageSeriesName): number | null {
  const column = history.series[series].avg;
  return column.length > 0 ? (column[column.length - 1] ?? null) : null;
}

/** The memory limit to draw, or null when the container has none (0 in the history). */
export function memoryLimit(history: UsageHistory): number | null {
  const limit = latest(history, 'memoryLimit');
  return limit && limit > 0 ? limit : null;
}
