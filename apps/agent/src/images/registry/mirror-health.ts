import type { MirrorHealth, MirrorHealthReport, RegistryEndpointCheck } from '@stevedore/shared';
import type { Logger } from '../../util/logger.js';
import type { EndpointConfig } from './endpoints.js';
import { checkRegistry } from './registry-check.js';
import type { JsonStateFile } from './state-file.js';

export interface MirrorHealthOptions {
  /** The endpoint configuration now (mirrors change live). */
  config: () => EndpointConfig;
  /** The registries that may have mirrors (Docker Hub and every certs.d directory). */
  registries: () => Promise<string[]>;
  intervalMs?: number;
  timeoutMs?: number;
  /** How long probes are kept (default 24 h). */
  retentionMs?: number;
  /** Where the history survives agent restarts; in memory only without one. */
  stateFile?: JsonStateFile<MirrorHealth[]> | null;
  log?: Logger | null;
}

/** What a probe of one registry asks for: its mirrors, and its own endpoint too with `upstream`. */
export interface ProbeTarget {
  registry: string;
  upstream: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Probes every configured mirror with GET /v2/ (short timeout) every 30 s and on demand, keeping
 * each mirror's history (when, reachable or not, how fast) for a day, on disk when given a state
 * file so an agent restart keeps it. A mirror no longer configured is forgotten at the next round.
 */
export class MirrorHealthMonitor {
  private readonly history = new Map<string, MirrorHealth>();
  private timer: NodeJS.Timeout | null = null;
  /** Whether the file holds any history: an agent without mirrors writes nothing. */
  private savedSomething = false;
  private running: Promise<void> | null = null;
  readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly retentionMs: number;
  /** A cap besides the age: probes on demand add to the 30 s rounds. */
  private readonly historySize: number;

  constructor(private readonly options: MirrorHealthOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.retentionMs = options.retentionMs ?? DAY_MS;
    this.historySize = Math.ceil(this.retentionMs / this.intervalMs) + 60;
  }

  /** The saved history first, then a round now and every interval. */
  async start(): Promise<void> {
    if (this.timer) return;
    const saved = (await this.options.stateFile?.load()) ?? [];
    this.savedSomething = saved.length > 0;
    for (const entry of saved) {
      const key = keyOf(entry.registry, entry.url);
      if (!this.history.has(key)) this.history.set(key, entry);
    }
    this.trim();
    const tick = () => {
      this.probeNow().catch((error: unknown) =>
        this.options.log?.warn({ err: error }, 'mirror health: a probe round failed'),
      );
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.options.stateFile?.flush();
  }

  /**
   * A round of its own now, then the report. With a target, only that registry is probed, and
   * the report also lists each endpoint a pull from it would try, in order (`endpoints`).
   */
  async probe(target?: ProbeTarget): Promise<MirrorHealthReport> {
    // A round under way may have read the mirrors before a change: this one starts after it.
    await this.running;
    if (!target) {
      await this.probeNow();
      // A probe on demand answers once its results are on disk.
      await this.options.stateFile?.flush();
      return this.report();
    }
    const endpoints = await this.probeRegistry(target.registry, !target.upstream, 'throw');
    this.save();
    await this.options.stateFile?.flush();
    return { ...this.report(), endpoints: endpoints ?? [] };
  }

  report(): MirrorHealthReport {
    return { intervalMs: this.intervalMs, mirrors: this.snapshot() };
  }

  private save(): void {
    if (this.history.size === 0 && !this.savedSomething) return;
    this.savedSomething = this.history.size > 0;
    this.options.stateFile?.save(this.snapshot());
  }

  private snapshot(): MirrorHealth[] {
    return [...this.history.values()].map((entry) => ({ ...entry, probes: [...entry.probes] }));
  }

  private probeNow(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    const registries = await this.options.registries();
    await Promise.all(registries.map((registry) => this.probeRegistry(registry, true, 'skip')));
    const configured = new Set(registries);
    for (const [key, entry] of this.history) if (!configured.has(entry.registry)) this.history.delete(key);
    this.save();
  }

  /**
   * Probes one registry's endpoints and records its mirrors' results; its mirrors no longer
   * configured are forgotten. A hosts.toml that cannot be read is skipped in a round (its mirrors
   * are unknown until it is fixed) and an error for a probe on demand.
   */
  private async probeRegistry(
    registry: string,
    mirrorsOnly: boolean,
    onError: 'skip' | 'throw',
  ): Promise<RegistryEndpointCheck[] | null> {
    let checks: RegistryEndpointCheck[];
    try {
      checks = await checkRegistry(registry, this.options.config(), {
        mirrorsOnly,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      if (onError === 'throw') throw error;
      this.options.log?.debug({ err: error, registry }, 'mirror health: cannot list the mirrors');
      return null;
    }
    const at = Date.now();
    const seen = new Set<string>();
    for (const check of checks) {
      if (!check.mirror) continue;
      const key = keyOf(registry, check.url);
      seen.add(key);
      const entry = this.history.get(key) ?? { registry, url: check.url, probes: [] };
      entry.probes.push({
        at,
        ok: check.reachable,
        latencyMs: check.latencyMs,
        status: check.status,
        error: check.error,
      });
      this.history.set(key, entry);
    }
    for (const [key, entry] of this.history) {
      if (entry.registry === registry && !seen.has(key)) this.history.delete(key);
    }
    this.trim();
    return checks;
  }

  /** Probes older than the retention, or beyond the cap, go. */
  private trim(): void {
    const oldest = Date.now() - this.retentionMs;
    for (const entry of this.history.values()) {
      const keepFrom = entry.probes.findIndex((probe) => probe.at >= oldest);
      if (keepFrom !== 0) entry.probes.splice(0, keepFrom === -1 ? entry.probes.length : keepFrom);
      if (entry.probes.length > this.historySize)
        entry.probes.splice(0, entry.probes.length - this.historySize);
    }
  }
}

const keyOf = (registry: string, url: string) => `${registry} ${url}`;
