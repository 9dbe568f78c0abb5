import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FleetEvent, HostStatus } from '@stevedore/shared';
import pg from 'pg';
import type { Logger } from 'pino';
import type { AgentHub } from '../hub/agent-hub';
import { ClusterBus } from './cluster-bus';
import { leasePlan } from './fair-share';
import { HostLeases } from './host-leases';
import type { ClusterMessage } from './messages';

export interface ClusterTiming {
  /** A lease not renewed for this long is free for another process (default 10 s). */
  leaseTtlMs: number;
  /** How often leases are renewed and free hosts taken (default 1 s). */
  tickMs: number;
}

const DEFAULT_TIMING: ClusterTiming = { leaseTtlMs: 10_000, tickMs: 1_000 };

export interface ClusterDeps {
  hub: AgentHub;
  events: {
    onAccepted(listener: (event: FleetEvent) => void): () => void;
    emitRemote(event: FleetEvent): void;
    flush(): Promise<void>;
    stored(id: string): Promise<FleetEvent | null>;
  };
  /** Re-reads one host's row into the hub (added, edited or removed by another process). */
  reloadHost(hostId: string): Promise<void>;
  /** The other processes' events of a while may have been missed (the listener reconnected). */
  onEventGap?(): void;
  log: Logger;
}

/**
 * This web process's part in a fleet shared by several processes on one PostgreSQL: it holds the
 * leases of its fair share of the hosts and follows exactly those (the hub's feeds, pings and
 * status), tells the other processes about their events and states over LISTEN/NOTIFY, and passes
 * theirs on to its own browsers. See docs/ARCHITECTURE.md, "Several web processes".
 */
export class ClusterNode {
  readonly processId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly timing: ClusterTiming;
  private readonly pool: pg.Pool;
  private readonly leases: HostLeases;
  private readonly bus: ClusterBus;
  private readonly stops: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private knownHosts = new Map<string, number>();
  /** Followed hosts' states not yet written to their lease rows (written once per round). */
  private unrecorded = new Map<string, HostStatus>();
  /** When the leases were last renewed: past the TTL, another process may follow our hosts. */
  private renewedAt = 0;
  private closed = false;
  private readonly loopDelayHistogram = monitorEventLoopDelay();

  constructor(
    url: string,
    private readonly deps: ClusterDeps,
    timing: Partial<ClusterTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
    // UTC sessions: the lease tables' timestamps have no time zone, and every process must agree.
    this.pool = new pg.Pool({ connectionString: url, max: 3, options: '-c TimeZone=UTC' });
    this.pool.on('error', (error) =>
      deps.log.warn({ err: error }, 'idle cluster database connection failed'),
    );
    this.leases = new HostLeases(this.pool, this.processId, this.timing.leaseTtlMs);
    this.bus = new ClusterBus(
      url,
      this.processId,
      {
        onMessage: (message) => void this.receive(message),
        onReconnect: () => {
          deps.onEventGap?.();
          void this.loadOthersStatuses();
        },
      },
      deps.log,
    );
  }

  /** Joins the cluster: listens, reports, and takes its share of the hosts from the first round on. */
  async start(): Promise<void> {
    const { hub, events, log } = this.deps;
    await this.bus.start();
    this.stops.push(
      hub.onFollowedStatus((status) => void this.report(status)),
      events.onAccepted((event) => void this.announce(event)),
    );
    await this.loadOthersStatuses();
    this.loopDelayHistogram.enable();
    await this.tick();
    this.scheduleTick();
    log.info({ processId: this.processId }, 'joined the dashboard cluster');
  }

  /** Leaves cleanly: the hosts followed here are free for the other processes at once. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.loopDelayHistogram.disable();
    await this.ticking;
    for (const stop of this.stops) stop();
    for (const hostId of this.deps.hub.hostIds()) this.deps.hub.unfollow(hostId);
    try {
      await this.leases.leave();
    } catch (error) {
      // The others take the hosts over once the leases expire, a few seconds later.
      this.deps.log.warn({ err: error }, 'releasing host leases failed');
    }
    await this.bus.close();
    await this.pool.end();
  }

  /** The next round a tick after this one ended: a slow round never piles rounds up. */
  private scheduleTick(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.scheduleTick());
    }, this.timing.tickMs);
    this.timer.unref();
  }

  /** One round: heartbeat, host list, renew, then give up a surplus or take free hosts. */
  private async tick(): Promise<void> {
    if (this.closed) return;
    const { hub, log } = this.deps;
    const startedAt = Date.now();
    try {
      const live = await this.leases.heartbeat();
      const total = await this.syncHosts();
      const held = await this.leases.renew();
      this.renewedAt = Date.now();
      for (const hostId of hub.hostIds()) {
        if (hub.isFollowed(hostId) && !held.has(hostId)) {
          log.info({ hostId }, 'lost the lease of a host; another process follows it now');
          hub.unfollow(hostId);
        }
      }
      const plan = leasePlan(held.size, total, live);
      const surplus = [...held].slice(0, plan.release);
      if (surplus.length > 0) {
        for (const hostId of surplus) hub.unfollow(hostId);
        await this.leases.release(surplus);
        log.info({ count: surplus.length, live }, 'gave hosts up for the other processes');
      }
      for (const hostId of held) {
        if (!surplus.includes(hostId) && !hub.isFollowed(hostId)) this.followHere(hostId);
      }
      const taken = await this.leases.take(plan.take);
      for (const hostId of taken) this.followHere(hostId);
      if (taken.length > 0) log.info({ count: taken.length, live }, 'took hosts over');
      const statuses = [...this.unrecorded.values()];
      this.unrecorded = new Map();
      await this.leases.recordStatuses(statuses);
      const tookMs = Date.now() - startedAt;
      const loopDelayMs = this.loopDelay();
      if (tookMs > this.timing.leaseTtlMs / 2) {
        log.warn({ ms: tookMs, loopDelayMs }, 'a lease round took half the lease time');
      }
    } catch (error) {
      log.warn({ err: error }, 'cluster round failed');
      // Leases not renewed in time may be another process's now: stop following rather than doubling.
      if (Date.now() - this.renewedAt > this.timing.leaseTtlMs - this.timing.tickMs) {
        for (const hostId of hub.hostIds()) hub.unfollow(hostId);
      }
    }
  }

  /** The event loop's worst delay since the last look, in ms (to tell a slow database from a busy process). */
  private loopDelay(): number {
    const worst = Math.round(this.loopDelayHistogram.max / 1e6);
    this.loopDelayHistogram.reset();
    return worst;
  }

  private followHere(hostId: string): void {
    const { hub } = this.deps;
    if (!hub.target(hostId)) {
      // Added by another process a moment ago: not in this process's hub yet.
      this.deps
        .reloadHost(hostId)
        .then(() => hub.follow(hostId))
        .catch((error: unknown) =>
          this.deps.log.warn({ err: error, hostId }, 'loading a leased host failed'),
        );
      return;
    }
    hub.follow(hostId);
  }

  /**
   * Brings hosts added, edited or removed by other processes into this process's hub, and their
   * lease rows in line; returns the number of hosts.
   */
  private async syncHosts(): Promise<number> {
    const { hub, reloadHost } = this.deps;
    const current = await this.leases.hosts();
    const first = this.knownHosts.size === 0;
    let changed = first || current.size !== this.knownHosts.size;
    for (const [hostId, updatedAt] of current) {
      const known = this.knownHosts.get(hostId);
      if (known !== updatedAt) changed = true;
      if (!hub.target(hostId) || (!first && known !== updatedAt)) await reloadHost(hostId);
    }
    for (const hostId of hub.hostIds()) {
      if (!current.has(hostId)) await reloadHost(hostId);
    }
    if (changed) await this.leases.ensureRows();
    this.knownHosts = current;
    return current.size;
  }

  private async report(status: HostStatus): Promise<void> {
    this.unrecorded.set(status.hostId, status);
    try {
      await this.bus.publish({ kind: 'status', from: this.processId, status });
    } catch (error) {
      this.deps.log.warn({ err: error, hostId: status.hostId }, 'reporting a host state failed');
    }
  }

  private async announce(event: FleetEvent): Promise<void> {
    try {
      if (await this.bus.publish({ kind: 'event', from: this.processId, event })) return;
      // Too large for a notification: announce its id once it is stored, the others read it.
      await this.deps.events.flush();
      await this.bus.publish({ kind: 'event-id', from: this.processId, id: event.id });
    } catch (error) {
      this.deps.log.warn({ err: error, hostId: event.hostId }, 'announcing an event failed');
    }
  }

  private async receive(message: ClusterMessage): Promise<void> {
    const { hub, events, log } = this.deps;
    switch (message.kind) {
      case 'status':
        hub.applyRemoteStatus(message.status);
        return;
      case 'event':
        events.emitRemote(message.event);
        return;
      case 'event-id': {
        const event = await events.stored(message.id).catch((error: unknown) => {
          log.warn({ err: error, id: message.id }, 'reading an announced event failed');
          return null;
        });
        if (event) events.emitRemote(event);
        return;
      }
    }
  }

  private async loadOthersStatuses(): Promise<void> {
    try {
      for (const status of await this.leases.othersStatuses()) this.deps.hub.applyRemoteStatus(status);
    } catch (error) {
      this.deps.log.warn({ err: error }, 'reading the other processes’ host states failed');
    }
  }
}
