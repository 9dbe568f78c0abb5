import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { USAGE_MINUTES_KEPT, USAGE_SECONDS_KEPT, USAGE_SERIES } from '@stevedore/shared';
import type { Logger } from '../../util/logger.js';
import { type CgroupCounters, cpuPercent, memoryUsed } from './cgroup-counters.js';
import {
  decodeMinute,
  decodeSecond,
  encodeMinute,
  encodeSecond,
  MINUTE_RECORD_BYTES,
  SECOND_RECORD_BYTES,
  SERIES_COUNT,
  summarise,
  upgradeMinutes,
  upgradeSeconds,
} from './usage-records.js';
import { RING_HEADER_BYTES, RingFile } from './usage-ring.js';

export const SECONDS_FILE = 'seconds.ring';
export const MINUTES_FILE = 'minutes.ring';
/** The most disk one container's history takes (both rings fully written). */
export const USAGE_BYTES_PER_CONTAINER =
  2 * RING_HEADER_BYTES + SECOND_RECORD_BYTES * USAGE_SECONDS_KEPT + MINUTE_RECORD_BYTES * USAGE_MINUTES_KEPT;

/** What the sampler read of one running container at one tick. */
export interface UsageReading {
  id: string;
  counters: CgroupCounters;
  network: { rx: number; tx: number };
  systemCpuNanos: number;
}

interface Baseline {
  at: number;
  reading: UsageReading;
}

interface Tracked {
  seconds: RingFile;
  minutes: RingFile;
  previous: Baseline | null;
  /** Start of the last minute summarised into the minute ring by this process; null: none yet. */
  lastMinute: number | null;
}

const SERIES_INDEX = Object.fromEntries(USAGE_SERIES.map((name, index) => [name, index])) as Record<
  (typeof USAGE_SERIES)[number],
  number
>;

/**
 * Writes each running container's usage into its two ring files under `root/<id>/`: one record a
 * second into `seconds.ring` (the last hour), and at each minute's end a min/avg/max/p95 summary
 * of that minute's seconds into `minutes.ring` (7 days). Minutes missed while the agent was down
 * are summarised from the seconds still on disk when the container is next seen. Write failures
 * (a full disk) are logged once per episode and the next tick tries again.
 */
export class UsageRecorder {
  private readonly tracked = new Map<string, Tracked>();
  private readonly failing = new Set<string>();
  private readonly second = Buffer.alloc(SECOND_RECORD_BYTES);
  private readonly minute = Buffer.alloc(MINUTE_RECORD_BYTES);
  private readonly minuteSeconds = Buffer.alloc(SECOND_RECORD_BYTES * 60);
  private paused = false;

  constructor(
    readonly root: string,
    private readonly onlineCpus: number,
    private readonly log: Logger,
  ) {}

  /** Creates the root and removes the history of containers that no longer exist. */
  init(existingIds: readonly string[]): void {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const keep = new Set(existingIds);
    for (const entry of readdirSync(this.root)) {
      if (!keep.has(entry)) rmSync(join(this.root, entry), { recursive: true, force: true });
    }
  }

  /**
   * Stops writing (for a data-root copy, which must see files that no longer change): each
   * container's partial minute is summarised now, and ticks are ignored until the returned
   * function is called.
   */
  pause(): () => void {
    this.paused = true;
    for (const id of [...this.tracked.keys()]) this.finish(id);
    return () => {
      this.paused = false;
    };
  }

  /** One tick: `readings` are every running container's counters read at `atMs`. */
  record(atMs: number, readings: readonly UsageReading[]): void {
    if (this.paused) return;
    const time = Math.floor(atMs / 1000);
    const live = new Set<string>();
    for (const reading of readings) {
      live.add(reading.id);
      this.guard(reading.id, () => this.recordOne(time, atMs, reading));
    }
    for (const id of [...this.tracked.keys()]) {
      // Stopped: its last (partial) minute is summarised now, so it stays queryable beyond the hour.
      if (!live.has(id)) this.finish(id);
    }
  }

  /** Summarises a container's last (partial) minute and stops tracking it. */
  private finish(id: string): void {
    const tracked = this.tracked.get(id);
    if (!tracked) return;
    const last = tracked.previous ? Math.floor(tracked.previous.at / 60_000) * 60 + 60 : null;
    if (last !== null) this.guard(id, () => this.summariseUpTo(tracked, last));
    this.forget(id);
  }

  /** Deletes a removed container's history. */
  async remove(id: string): Promise<void> {
    this.forget(id);
    this.failing.delete(id);
    await rm(join(this.root, id), { recursive: true, force: true });
  }

  close(): void {
    for (const id of [...this.tracked.keys()]) this.forget(id);
  }

  private recordOne(time: number, atMs: number, reading: UsageReading): void {
    const tracked = this.open(reading.id);
    const previous = tracked.previous;
    // Ticks closer than half a second (a subscriber's extra tick) would give noisy rates.
    if (previous && atMs - previous.at < 500) return;
    tracked.previous = { at: atMs, reading };
    if (!previous) return; // rates need two readings
    const seconds = (atMs - previous.at) / 1000;
    const rate = (now: number, before: number) => Math.max(0, now - before) / seconds;
    const c = reading.counters;
    const p = previous.reading.counters;
    const values = new Float64Array(SERIES_COUNT);
    values[SERIES_INDEX.cpuPercent] = cpuPercent(
      { counters: p, systemCpuNanos: previous.reading.systemCpuNanos },
      { counters: c, systemCpuNanos: reading.systemCpuNanos },
      this.onlineCpus,
    );
    values[SERIES_INDEX.cpuThrottledPeriods] = rate(c.throttledPeriods, p.throttledPeriods);
    values[SERIES_INDEX.cpuThrottledMs] = rate(c.throttledNanos, p.throttledNanos) / 1e6;
    values[SERIES_INDEX.memoryWorkingSet] = memoryUsed(c);
    values[SERIES_INDEX.memoryLimit] = c.memoryLimit ?? 0;
    values[SERIES_INDEX.networkRx] = rate(reading.network.rx, previous.reading.network.rx);
    values[SERIES_INDEX.networkTx] = rate(reading.network.tx, previous.reading.network.tx);
    values[SERIES_INDEX.blockRead] = rate(c.blockRead, p.blockRead);
    values[SERIES_INDEX.blockWrite] = rate(c.blockWrite, p.blockWrite);
    values[SERIES_INDEX.pids] = c.pids;
    values[SERIES_INDEX.memorySwap] = c.swapUsage;
    values[SERIES_INDEX.cpuPeriods] = rate(c.periods, p.periods);
    encodeSecond(time, values, this.second);
    tracked.seconds.write(time, this.second);
    this.summariseUpTo(tracked, Math.floor(time / 60) * 60);
  }

  /** Summarises every minute before `minuteStart` not yet summarised (after a restart: the last hour's). */
  private summariseUpTo(tracked: Tracked, minuteStart: number): void {
    let from = tracked.lastMinute === null ? minuteStart - USAGE_SECONDS_KEPT + 60 : tracked.lastMinute + 60;
    from = Math.max(from, minuteStart - USAGE_SECONDS_KEPT + 60);
    for (let start = from; start < minuteStart; start += 60) {
      const samples: Float64Array[] = [];
      tracked.seconds.read(start, 60, this.minuteSeconds);
      for (let i = 0; i < 60; i++) {
        const values = decodeSecond(this.minuteSeconds, i * SECOND_RECORD_BYTES, start + i);
        if (values) samples.push(values);
      }
      const bucket = summarise(start, samples);
      if (!bucket) continue;
      // A minute summarised earlier from more seconds (before part of them were overwritten) stays.
      const existing = decodeMinute(tracked.minutes.read(start / 60, 1, this.minute), 0, start);
      if (existing && existing.count > bucket.count) continue;
      encodeMinute(bucket, this.minute);
      tracked.minutes.write(start / 60, this.minute);
    }
    tracked.lastMinute = Math.max(tracked.lastMinute ?? 0, minuteStart - 60);
  }

  private open(id: string): Tracked {
    const existing = this.tracked.get(id);
    if (existing) return existing;
    const dir = join(this.root, id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const seconds = RingFile.openOrCreate(
      join(dir, SECONDS_FILE),
      SECOND_RECORD_BYTES,
      USAGE_SECONDS_KEPT,
      upgradeSeconds,
    );
    let minutes: RingFile;
    try {
      minutes = RingFile.openOrCreate(
        join(dir, MINUTES_FILE),
        MINUTE_RECORD_BYTES,
        USAGE_MINUTES_KEPT,
        upgradeMinutes,
      );
    } catch (error) {
      seconds.close();
      throw error;
    }
    const tracked: Tracked = { seconds, minutes, previous: null, lastMinute: null };
    this.tracked.set(id, tracked);
    return tracked;
  }

  private forget(id: string): void {
    const tracked = this.tracked.get(id);
    if (!tracked) return;
    this.tracked.delete(id);
    tracked.seconds.close();
    tracked.minutes.close();
  }

  /** Runs one container's write; a failure (ENOSPC, EIO) is logged once until it succeeds again. */
  private guard(id: string, write: () => void): void {
    try {
      write();
      if (this.failing.delete(id)) this.log.info({ id }, 'usage history: recording again');
    } catch (error) {
      if (!this.failing.has(id)) {
        this.failing.add(id);
        this.log.warn({ err: error, id, root: this.root }, 'usage history: cannot record; will keep trying');
      }
    }
  }
}
