/** Clocks and statistics the web benchmark's jobs share. */

/** Wall-clock milliseconds with sub-millisecond resolution (the browser's is the same kind of clock). */
export const nowMs = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
