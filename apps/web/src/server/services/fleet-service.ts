import type {
  FleetEvent,
  FleetHost,
  FleetUpdate,
  HostSummary,
  HostUsage,
  SystemInfo,
} from '@stevedore/shared';
import type { AgentHub } from '../hub/agent-hub';
import { listen } from '../util/listen';

/** How fresh the overview is kept while someone watches it. */
export interface FleetTiming {
  /** CPU / memory / disk of every online host. */
  usageMs: number;
  /** Agent facts and counts (also refreshed, debounced, after a container or image event). */
  factsMs: number;
  /** Image store size (`system df` walks the layers, so less often; also after image events). */
  imageSizeMs: number;
  /** Coalesces a burst of events into one refresh. */
  debounceMs: number;
}

const DEFAULT_TIMING: FleetTiming = { usageMs: 3_000, factsMs: 30_000, imageSizeMs: 60_000, debounceMs: 250 };

/**
 * A kept row younger than this (but older than one refresh) is served at once while its refresh
 * runs behind it; older rows are recomputed before the snapshot answers.
 */
const SERVE_STALE_MS = 10 * 60_000;

/**
 * Refreshes are spread out rather than started together: 500 hosts' refreshes at once (three agent
 * calls each, their answers coming back together) held the event loop for hundreds of ms, and every
 * request the server had meanwhile (a page, /api/health) waited behind them. The interval's loop
 * spreads them over this share of the interval; a snapshot's behind-the-rows refreshes go one per
 * SNAPSHOT_REFRESH_STEP_MS.
 */
const LOOP_SPREAD = 0.8;
const SNAPSHOT_REFRESH_STEP_MS = 1;

/** Rows whose only change is their usage go to the watchers together, this often. */
const USAGE_FLUSH_MS = 1_000;

/** A row without what changes on every refresh (usage, last seen): equal means only usage moved. */
const steadyPart = (row: FleetHost) =>
  JSON.stringify({ ...row, usage: null, status: { ...row.status, lastSeen: null } });

interface Facts {
  at: number;
  info: SystemInfo;
}

/**
 * The fleet overview, kept by the server rather than by each browser: one refresh loop over the
 * hosts however many people watch, rows refreshed when a host changes state or reports a container
 * or image event, and only rows that changed pushed to the watchers.
 */
export class FleetService {
  private readonly rows = new Map<string, { at: number; row: FleetHost }>();
  private readonly facts = new Map<string, Facts>();
  private readonly imageSizes = new Map<string, { at: number; bytes: number }>();
  private readonly listeners = new Set<(update: FleetUpdate) => void>();
  private readonly dirty = new Map<string, NodeJS.Timeout>();
  /** Refreshes under way, so a snapshot's background refresh does not start a second one. */
  private readonly refreshing = new Map<string, Promise<FleetHost>>();
  private pendingUsage: Record<string, HostUsage> = {};
  private usageFlush: NodeJS.Timeout | null = null;
  private loop: NodeJS.Timeout | null = null;
  /** Refreshes spread out and not started yet, by host. */
  private readonly spread = new Map<string, NodeJS.Timeout>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly hosts: { list(): Promise<HostSummary[]>; get(hostId: string): Promise<HostSummary> },
    private readonly hub: AgentHub,
    events: { onEvent(listener: (event: FleetEvent) => void): () => void },
    private readonly timing: FleetTiming = DEFAULT_TIMING,
  ) {
    // With nobody watching, a change only marks the host's row stale: the next snapshot refreshes it.
    // (Refreshing every row on every event cost the server most of its idle CPU with 500 hosts.)
    this.unsubscribe = [
      hub.onStatus((status) => {
        if (this.listeners.size > 0) this.schedule(status.hostId, 0);
        else this.markStale(status.hostId);
      }),
      events.onEvent((event) => {
        if (event.type === 'image') this.imageSizes.delete(event.hostId);
        if (event.type === 'container' || event.type === 'image') {
          this.facts.delete(event.hostId);
          if (this.listeners.size > 0) this.schedule(event.hostId, this.timing.debounceMs);
          else this.markStale(event.hostId);
        }
      }),
    ];
  }

  /**
   * Every host's current row: kept rows whose connection state is still the hub's — younger than one
   * refresh interval as they are, younger than SERVE_STALE_MS while a refresh (pushed to the watchers
   * when it differs) runs behind them — computed now otherwise (a row kept while connecting must not
   * outlive that state just because its refresh after going online has not finished yet).
   */
  async snapshot(): Promise<FleetHost[]> {
    const hosts = await this.hosts.list();
    const now = Date.now();
    return Promise.all(
      hosts.map(async (host) => {
        const kept = this.rows.get(host.id);
        if (kept && kept.row.status.state === host.status.state) {
          if (now - kept.at < this.timing.usageMs) return kept.row;
          if (now - kept.at < SERVE_STALE_MS) {
            void this.refresh(host);
            return kept.row;
          }
        }
        return this.refresh(host);
      }),
    );
  }

  /**
   * The watchers' snapshot, answered at once (no agent call waited for): kept rows whose connection
   * state is still the hub's as they are, every other host as its summary (no agent facts or usage
   * yet) while its refresh runs behind and pushes the row when it comes. At 50 hosts the awaited
   * refreshes held `/hosts`' first message back by ~9 s (BENCHMARKS.md, fleet).
   */
  async immediateSnapshot(): Promise<FleetHost[]> {
    const hosts = await this.hosts.list();
    const now = Date.now();
    const stale: HostSummary[] = [];
    const rows = hosts.map((host) => {
      const kept = this.rows.get(host.id);
      const sameState = kept && kept.row.status.state === host.status.state;
      if (kept && sameState && now - kept.at < this.timing.usageMs) return kept.row;
      stale.push(host);
      if (kept && sameState && now - kept.at < SERVE_STALE_MS) return kept.row;
      return { ...host, agent: null, usage: null, error: null };
    });
    this.refreshSpread(stale, SNAPSHOT_REFRESH_STEP_MS);
    return rows;
  }

  /** The whole fleet, then each changed row or removal, until the signal aborts. */
  watch(signal: AbortSignal | undefined): AsyncGenerator<FleetUpdate> {
    return listen<FleetUpdate>(
      (push) => {
        this.listeners.add(push);
        this.startLoop();
        return () => {
          this.listeners.delete(push);
          if (this.listeners.size === 0) this.stopLoop();
        };
      },
      signal,
      async () => [{ kind: 'snapshot' as const, hosts: await this.immediateSnapshot() }],
    );
  }

  /** A host was removed from the control plane. */
  forget(hostId: string): void {
    this.rows.delete(hostId);
    this.facts.delete(hostId);
    this.imageSizes.delete(hostId);
    clearTimeout(this.dirty.get(hostId));
    this.dirty.delete(hostId);
    this.publish({ kind: 'removed', hostId });
  }

  close(): void {
    this.stopLoop();
    for (const timer of this.dirty.values()) clearTimeout(timer);
    for (const stop of this.unsubscribe) stop();
  }

  private startLoop(): void {
    this.loop ??= setInterval(() => void this.refreshAll(), this.timing.usageMs);
    this.loop.unref();
  }

  private stopLoop(): void {
    if (this.loop) clearInterval(this.loop);
    this.loop = null;
    for (const timer of this.spread.values()) clearTimeout(timer);
    this.spread.clear();
    if (this.usageFlush) clearTimeout(this.usageFlush);
    this.usageFlush = null;
    this.pendingUsage = {};
  }

  /** Sends the gathered usage-only changes (one message, not one per host). */
  private flushUsage(): void {
    this.usageFlush = null;
    const usage = this.pendingUsage;
    this.pendingUsage = {};
    if (Object.keys(usage).length > 0) this.publish({ kind: 'usage', usage });
  }

  /** The host changed while nobody watched: the next snapshot serves its kept row and refreshes it. */
  private markStale(hostId: string): void {
    const kept = this.rows.get(hostId);
    if (kept) kept.at = Math.min(kept.at, Date.now() - this.timing.usageMs);
  }

  private schedule(hostId: string, delayMs: number): void {
    if (this.dirty.has(hostId)) return;
    const timer = setTimeout(async () => {
      this.dirty.delete(hostId);
      // One host's row, not the whole host list per event.
      const host = await this.hosts.get(hostId).catch(() => null); // removed meanwhile: nothing to refresh
      if (host) await this.refresh(host);
    }, delayMs);
    timer.unref();
    this.dirty.set(hostId, timer);
  }

  private async refreshAll(): Promise<void> {
    const hosts = await this.hosts.list();
    this.refreshSpread(hosts, hosts.length > 0 ? (this.timing.usageMs * LOOP_SPREAD) / hosts.length : 0);
  }

  /** Refreshes the hosts one every `stepMs` (the first at once); a host already waiting keeps its turn. */
  private refreshSpread(hosts: readonly HostSummary[], stepMs: number): void {
    let at = 0;
    for (const host of hosts) {
      if (this.spread.has(host.id)) continue;
      const delay = at;
      at += stepMs;
      if (delay < 1) {
        void this.refresh(host);
        continue;
      }
      const timer = setTimeout(() => {
        this.spread.delete(host.id);
        void this.refresh(host);
      }, delay);
      timer.unref();
      this.spread.set(host.id, timer);
    }
  }

  private refresh(host: HostSummary): Promise<FleetHost> {
    const running = this.refreshing.get(host.id);
    if (running) return running;
    const refresh = this.recompute(host).finally(() => this.refreshing.delete(host.id));
    this.refreshing.set(host.id, refresh);
    return refresh;
  }

  private async recompute(host: HostSummary): Promise<FleetHost> {
    const row = await this.compute(host);
    const previous = this.rows.get(host.id)?.row;
    this.rows.set(host.id, { at: Date.now(), row });
    if (this.listeners.size === 0) return row;
    if (!previous || steadyPart(previous) !== steadyPart(row)) {
      delete this.pendingUsage[host.id]; // the whole row carries it
      this.publish({ kind: 'host', host: row });
    } else if (row.usage && JSON.stringify(previous.usage) !== JSON.stringify(row.usage)) {
      this.pendingUsage[host.id] = row.usage;
      this.usageFlush ??= setTimeout(() => this.flushUsage(), USAGE_FLUSH_MS);
      this.usageFlush.unref();
    }
    return row;
  }

  private async compute(host: HostSummary): Promise<FleetHost> {
    if (host.status.state !== 'online' && host.status.state !== 'degraded') {
      return { ...host, agent: null, usage: null, error: null };
    }
    try {
      const [info, usage, imagesSize] = await Promise.all([
        this.infoOf(host.id),
        this.hub.call(host.id, (client) => client.system.usage.query()),
        this.imagesSizeOf(host.id),
      ]);
      const agent = {
        version: info.ServerVersion,
        runtime: `${info.DefaultRuntime} ${info.Runtimes[info.DefaultRuntime]?.version ?? ''}`.trim(),
        cgroupVersion: info.CgroupVersion,
        containersRunning: info.ContainersRunning,
        containersStopped: info.ContainersStopped,
        images: info.Images,
        imagesSize,
      };
      return { ...host, status: this.hub.status(host.id), agent, usage, error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ...host, status: this.hub.status(host.id), agent: null, usage: null, error: message };
    }
  }

  private async infoOf(hostId: string): Promise<SystemInfo> {
    const cached = this.facts.get(hostId);
    if (cached && Date.now() - cached.at < this.timing.factsMs) return cached.info;
    const info = await this.hub.call(hostId, (client) => client.system.info.query());
    this.facts.set(hostId, { at: Date.now(), info });
    return info;
  }

  private async imagesSizeOf(hostId: string): Promise<number> {
    const cached = this.imageSizes.get(hostId);
    if (cached && Date.now() - cached.at < this.timing.imageSizeMs) return cached.bytes;
    const rows = await this.hub.call(hostId, (client) => client.system.df.query());
    const bytes = rows.find((row) => row.type === 'Images')?.size ?? 0;
    this.imageSizes.set(hostId, { at: Date.now(), bytes });
    return bytes;
  }

  private publish(update: FleetUpdate): void {
    for (const listener of this.listeners) listener(update);
  }
}
