import type { ContainerStats } from '@stevedore/shared';
import {
  cpuPercent,
  memoryUsed,
  OpenCounterFiles,
  readCgroupCounters,
  readNetworkCounters,
  readSystemCpuNanos,
  type Sample,
} from './cgroup-counters.js';
import type { UsageReading } from './usage-recorder.js';

/** Where each tick's readings go besides the subscribers: the usage history. */
export interface UsageSink {
  record(atMs: number, readings: readonly UsageReading[]): void;
  close(): void;
}

export interface SampledContainer {
  id: string;
  name: string;
  pid: number;
  cgroupsPath: string;
  /** false for `--network none`: only loopback, nothing to count. */
  hasNetwork: boolean;
}

interface Batch {
  stats: ContainerStats[];
  /** IDs whose CPU % had a previous sample to compare with. */
  complete: Set<string>;
}

/**
 * One 1 Hz sampler shared by every `stats` subscriber and the usage history: it reads each
 * running container's cgroup and network counters once per tick, hands the same batch to all
 * subscribers and the readings to the history. Without a history it runs only while someone
 * listens.
 */
export class StatsSampler {
  private readonly previous = new Map<string, Sample>();
  private readonly listeners = new Set<(batch: Batch) => void>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private readonly files = new OpenCounterFiles();

  constructor(
    private readonly running: () => SampledContainer[],
    private readonly host: {
      cgroupVersion: '1' | '2';
      cgroupRoot: string;
      onlineCpus: number;
      memTotal: number;
    },
    private readonly intervalMs = 1000,
    private readonly history: UsageSink | null = null,
  ) {}

  /** Starts ticking for the history, whether anyone subscribes or not. */
  startRecording(): void {
    this.ensureRunning();
  }

  /** Stops the ticks and closes the history's files. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.files.close();
    this.history?.close();
  }

  /** Batches of stats for `ids` (all running containers when empty) until `signal` aborts. */
  async *subscribe(
    ids: readonly string[],
    stream: boolean,
    signal: AbortSignal,
  ): AsyncGenerator<ContainerStats[]> {
    const queue: Batch[] = [];
    let wake: (() => void) | null = null;
    const listener = (batch: Batch) => {
      // A subscriber that reads slower than the ticks gets the newest batch, not a backlog.
      queue.length = 0;
      queue.push(batch);
      wake?.();
    };
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    this.listeners.add(listener);
    this.ensureRunning();
    let ticks = 0;
    try {
      while (!signal.aborted) {
        const batch = queue.shift();
        if (!batch) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
          continue;
        }
        ticks++;
        const selected = ids.length === 0 ? batch.stats : batch.stats.filter((s) => ids.includes(s.id));
        if (stream) {
          yield selected;
          continue;
        }
        // `--no-stream` needs two samples for a CPU figure, like Docker's.
        if (selected.every((s) => batch.complete.has(s.id)) || ticks >= 2) {
          yield selected;
          return;
        }
      }
    } finally {
      this.listeners.delete(listener);
      signal.removeEventListener('abort', onAbort);
      if (this.listeners.size === 0 && !this.history) this.halt();
    }
  }

  private ensureRunning(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.tick();
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.previous.clear();
    this.files.close();
  }

  private tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const containers = this.running();
      if (containers.length === 0 && this.listeners.size === 0) {
        this.history?.record(Date.now(), []);
        this.previous.clear();
        this.files.close();
        return;
      }
      const reader = this.files.read;
      const systemCpuNanos = readSystemCpuNanos(reader);
      const now = Date.now();
      const read = new Date(now).toISOString();
      const complete = new Set<string>();
      const readings: UsageReading[] = [];
      const stats = containers.map((container): ContainerStats => {
        const counters = readCgroupCounters(
          this.host.cgroupVersion,
          this.host.cgroupRoot,
          container.cgroupsPath,
          reader,
        );
        const network = container.hasNetwork ? readNetworkCounters(container.pid, reader) : { rx: 0, tx: 0 };
        const sample = { counters, systemCpuNanos };
        readings.push({ id: container.id, counters, network, systemCpuNanos });
        const previous = this.previous.get(container.id) ?? null;
        if (previous) complete.add(container.id);
        this.previous.set(container.id, sample);
        const limit = counters.memoryLimit ?? this.host.memTotal;
        const used = memoryUsed(counters);
        return {
          id: container.id,
          name: container.name,
          read,
          cpuPercent: cpuPercent(previous, sample, this.host.onlineCpus),
          memoryUsage: used,
          memoryLimit: limit,
          memoryPercent: limit > 0 ? (used / limit) * 100 : 0,
          networkRx: network.rx,
          networkTx: network.tx,
          blockRead: counters.blockRead,
          blockWrite: counters.blockWrite,
          pids: counters.pids,
        };
      });
      const live = new Set(containers.map((c) => c.id));
      for (const id of this.previous.keys()) if (!live.has(id)) this.previous.delete(id);
      this.files.retain(['/proc/stat', ...containers.flatMap((c) => [c.id, `/proc/${c.pid}/`])]);
      this.history?.record(now, readings);
      for (const listener of this.listeners) listener({ stats, complete });
    } finally {
      this.ticking = false;
    }
  }
}
