/** CFS periods a second at the kernel's and Docker's default period (100 ms), unless `--cpu-period` says otherwise. */
export const DEFAULT_PERIODS_PER_SECOND = 10;

/**
 * The share (0…1) of CFS periods in which a container was throttled, from the per-second rates its
 * usage history records: throttled periods over the periods that elapsed (cpu.stat nr_throttled /
 * nr_periods). Where no periods were recorded (history written before they were, or a reading
 * without a quota), `fallbackPeriodsPerSecond` stands in for them. Null when nothing can be said.
 */
export function throttledShare(
  throttledPerSecond: number | null | undefined,
  periodsPerSecond: number | null | undefined,
  fallbackPeriodsPerSecond = DEFAULT_PERIODS_PER_SECOND,
): number | null {
  if (throttledPerSecond === null || throttledPerSecond === undefined || !Number.isFinite(throttledPerSecond))
    return null;
  const periods =
    periodsPerSecond !== null && periodsPerSecond !== undefined && periodsPerSecond > 0
      ? periodsPerSecond
      : fallbackPeriodsPerSecond;
  return Math.min(1, Math.max(0, throttledPerSecond / periods));
}

/**
 * The throttled share over a whole window (buckets of equal length): throttled periods summed over
 * periods summed, each bucket without recorded periods counting `fallbackPeriodsPerSecond`.
 */
export function windowThrottledShare(
  throttledPerSecond: readonly (number | null)[],
  periodsPerSecond: readonly (number | null)[] | undefined,
  fallbackPeriodsPerSecond = DEFAULT_PERIODS_PER_SECOND,
): number {
  let throttled = 0;
  let periods = 0;
  throttledPerSecond.forEach((value, i) => {
    if (value === null || !Number.isFinite(value)) return;
    const recorded = periodsPerSecond?.[i];
    throttled += Math.max(0, value);
    periods +=
      recorded !== null && recorded !== undefined && recorded > 0 ? recorded : fallbackPeriodsPerSecond;
  });
  return periods === 0 ? 0 : Math.min(1, throttled / periods);
}
