/**
 * "Above x for y minutes": follows one series and remembers since when every observation has been
 * above the threshold. A value at or below it, or a gap in the observations (the container was
 * stopped, the host unreachable), starts the run afresh.
 */
export class SustainedCondition {
  private aboveSinceMs: number | null = null;
  private lastMs: number | null = null;
  private lastValue: number | null = null;

  constructor(
    private readonly threshold: number,
    private readonly maxGapMs: number,
  ) {}

  observe(atMs: number, value: number): void {
    if (this.lastMs !== null && atMs <= this.lastMs) return; // already seen (overlapping reads)
    const gap = this.lastMs !== null && atMs - this.lastMs > this.maxGapMs;
    this.lastMs = atMs;
    this.lastValue = value;
    if (value <= this.threshold) this.aboveSinceMs = null;
    else if (this.aboveSinceMs === null || gap) this.aboveSinceMs = atMs;
  }

  /** How long the value has stayed above the threshold, up to the newest observation; 0 when it is not. */
  heldMs(): number {
    if (this.aboveSinceMs === null || this.lastMs === null) return 0;
    return this.lastMs - this.aboveSinceMs;
  }

  /** Whether the newest observation is above the threshold (null: nothing observed yet). */
  above(): boolean | null {
    return this.lastValue === null ? null : this.lastValue > this.threshold;
  }

  latest(): number | null {
    return this.lastValue;
  }

  newestMs(): number | null {
    return this.lastMs;
  }
}

export interface Block {
  /** End of the block (ms): the time of its last sample. */
  atMs: number;
  mean: number;
}

/**
 * Averages 1 s samples over blocks of `blockSeconds` (aligned to the clock), so one quiet second
 * does not break a sustained run. Samples whose value is null (not measurable) are left out.
 */
export function averageBlocks(
  timestamps: readonly number[],
  values: readonly (number | null)[],
  blockSeconds: number,
): Block[] {
  const blocks: Block[] = [];
  let current: { index: number; sum: number; count: number; last: number } | null = null;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i];
    const value = values[i];
    if (t === undefined || value === null || value === undefined || !Number.isFinite(value)) continue;
    const index = Math.floor(t / blockSeconds);
    if (current && current.index !== index) {
      blocks.push({ atMs: current.last * 1000, mean: current.sum / current.count });
      current = null;
    }
    current ??= { index, sum: 0, count: 0, last: t };
    current.sum += value;
    current.count++;
    current.last = t;
  }
  if (current) blocks.push({ atMs: current.last * 1000, mean: current.sum / current.count });
  return blocks;
}
