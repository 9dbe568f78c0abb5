import type { MirrorHealthReport, MirrorProbe } from '@stevedore/shared';
import type { Logger } from '../../util/logger.js';
import type { EndpointConfig } from './endpoints.js';
import { checkRegistry } from './registry-check.js';

export interface MirrorHealthOptions {
  /** The endpoint configuration now (mirrors change live). */
  config: () => EndpointConfig;
  /** The registries that may have mirrors (Docker Hub and every certs.d directory). */
  registries: () => Promise<string[]>;
  intervalMs?: number;
  timeoutMs?: number;
  /** Probes kept per mirror. */
  historySize?: number;
  log?: Logger | null;
}

/**
 * Probes every configured mirror with GET /v2/ (short timeout) every 30 s and on demand, keeping
 * a small history per mirror in memory: when, reachable or not, how fast. A mirror no longer
 * configured is forgotten at the next round.
 */
export class MirrorHealthMonitor {
  private readonly history = new Map<string, { registry: string; url: string; probes: MirrorProbe[] }>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly historySize: number;

  constructor(private readonly options: MirrorHealthOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.historySize = options.historySize ?? 120;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.probeNow().catch((error: unknown) =>
        this.options.log?.warn({ err: error }, 'mirror health: a probe round failed'),
      );
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A round of its own now, then the report. */
  async probe(): Promise<MirrorHealthReport> {
    // A round under way may have read the mirrors before a change: this one starts after it.
    await this.running;
    await this.probeNow();
    return this.report();
  }

  report(): MirrorHealthReport {
    return {
      intervalMs: this.intervalMs,
      mirrors: [...this.history.values()].map((entry) => ({ ...entry, probes: [...entry.probes] })),
    };
  }

  private probeNow(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    const config = this.options.config();
    const registries = await this.options.registries();
    const seen = new Set<string>();
    await Promise.all(
      registries.map(async (registry) => {
        let checks: Awaited<ReturnType<typeof checkRegistry>>;
        try {
          checks = await checkRegistry(registry, config, { mirrorsOnly: true, timeoutMs: this.timeoutMs });
        } catch (error) {
          // A hosts.toml that cannot be read: its mirrors are unknown until it is fixed.
          this.options.log?.debug({ err: error, registry }, 'mirror health: cannot list the mirrors');
          return;
        }
        const at = Date.now();
        for (const check of checks) {
          const key = `${registry} ${check.url}`;
          seen.add(key);
          const entry = this.history.get(key) ?? { registry, url: check.url, probes: [] };
          entry.probes.push({
            at,
            ok: check.reachable,
            latencyMs: check.latencyMs,
            status: check.status,
            error: check.error,
          });
          if (entry.probes.length > this.historySize)
            entry.probes.splice(0, entry.probes.length - this.historySize);
          this.history.set(key, entry);
        }
      }),
    );
    for (const key of [...this.history.keys()]) if (!seen.has(key)) this.history.delete(key);
  }
}
