import type { AlertRule, FleetEvent, HostSummary } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { listRules } from '../../db/repositories/alerts';
import type { AgentHub } from '../../hub/agent-hub';
import type { AlertStore } from './alert-store';
import { EventRules } from './event-rules';
import { HostOfflineRules } from './host-rules';
import type { AlertSink } from './types';
import { UsageRules } from './usage-rules';
import { UsageSampler } from './usage-sampler';

export interface AlertTiming {
  /** How often time-based conditions are checked (OOM quiet periods, calmed loops, hosts offline). */
  tickMs: number;
  /** Usage is averaged over blocks this long and read once a block. */
  blockSeconds: number;
  /**
   * How long a rule's minute lasts. Always a minute in the product; tests against real containers
   * shorten it so that "for 1 minute" or "3 restarts in 1 minute" pass in seconds — the rules'
   * semantics stay the same, only the unit is scaled.
   */
  minuteMs: number;
}

export const DEFAULT_ALERT_TIMING: AlertTiming = { tickMs: 5_000, blockSeconds: 15, minuteMs: 60_000 };

const RESTART_ACTIONS = ['die', 'start', 'restart', 'destroy'];

export interface EvaluatorDeps {
  db: Db;
  store: AlertStore;
  hub: Pick<AgentHub, 'call' | 'status' | 'isFollowed'>;
  hosts: { list(): Promise<HostSummary[]> };
  /** The events of the hosts this process follows (with several processes, each reaches one). */
  events: { onAccepted(listener: (event: FleetEvent) => void): () => void };
  log: Logger;
  timing: AlertTiming;
}

/**
 * Runs the rules: engine events as the hub receives them, a tick for conditions that clear with
 * time and for hosts' connection states, and a poll of the agents' usage history once a block. It
 * opens no stream of its own: the events come from the fleet feed the hub already keeps.
 *
 * With several web processes each evaluates only the hosts it follows (where their events, states
 * and usage arrive), so an alert is decided by one process; the store's rows are shared, and a
 * host's firing alerts are picked up from the database by the process that takes the host over.
 */
export class AlertEvaluator {
  private rules: AlertRule[] = [];
  private readonly eventRules: EventRules;
  private readonly hostRules: HostOfflineRules;
  private readonly usageRules: UsageRules;
  private readonly sampler: UsageSampler;
  private readonly followedHosts: { list(): Promise<HostSummary[]> };
  /** Events that arrived before the rules and the firing alerts were loaded. */
  private early: FleetEvent[] | null = [];
  private readonly stops: (() => void)[] = [];
  private closed = false;

  constructor(private readonly deps: EvaluatorDeps) {
    const rules = () => this.rules;
    const { blockSeconds, minuteMs } = deps.timing;
    const sink = followedOnly(deps.store, (hostId) => deps.hub.isFollowed(hostId));
    const followedHosts = {
      list: async () => (await deps.hosts.list()).filter((host) => deps.hub.isFollowed(host.id)),
    };
    this.followedHosts = followedHosts;
    this.eventRules = new EventRules(sink, rules, minuteMs);
    this.hostRules = new HostOfflineRules(sink, rules);
    this.usageRules = new UsageRules(sink, rules, blockSeconds, minuteMs);
    this.sampler = new UsageSampler(
      deps.hub,
      followedHosts,
      rules,
      this.usageRules,
      deps.log,
      blockSeconds,
      minuteMs,
    );
    // Subscribed at once so nothing falls between loading and listening.
    this.stops.push(deps.events.onAccepted((event) => this.accept(event)));
  }

  /** Loads the rules and what fires, replays the restart history, then starts the timers. */
  async start(rules: AlertRule[]): Promise<void> {
    this.rules = rules;
    await this.deps.store.load();
    await this.replayRestarts();
    if (this.closed) return;
    const early = this.early ?? [];
    this.early = null;
    for (const event of early) this.accept(event);
    const tick = setInterval(() => void this.tick(), this.deps.timing.tickMs);
    const poll = setInterval(() => void this.poll(), this.deps.timing.blockSeconds * 1000);
    tick.unref();
    poll.unref();
    this.stops.push(
      () => clearInterval(tick),
      () => clearInterval(poll),
    );
    void this.poll();
  }

  setRules(rules: AlertRule[]): void {
    this.rules = rules;
    this.usageRules.retain(rules);
  }

  /** Runs the time-based checks now (tests; the timer does it otherwise). */
  async tick(nowMs = Date.now()): Promise<void> {
    try {
      // Rules edited through another process, and alerts fired or resolved by one, reach this one.
      this.setRules(await listRules(this.deps.db));
      await this.deps.store.refresh();
      this.eventRules.tick(nowMs);
      if (!this.rules.some((rule) => rule.enabled && rule.condition.kind === 'host-offline')) return;
      const hosts = await this.followedHosts.list();
      this.hostRules.tick(
        nowMs,
        hosts.map((host) => ({
          hostId: host.id,
          hostName: host.name,
          state: this.deps.hub.status(host.id).state,
        })),
      );
    } catch (error) {
      this.deps.log.warn({ err: error }, 'checking alert rules failed');
    }
  }

  async poll(nowMs = Date.now()): Promise<void> {
    try {
      await this.sampler.poll(nowMs);
    } catch (error) {
      this.deps.log.warn({ err: error }, 'reading usage for alert rules failed');
    }
  }

  close(): void {
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
  }

  private accept(event: FleetEvent): void {
    if (this.early) {
      this.early.push(event);
      return;
    }
    try {
      this.eventRules.accept(event);
    } catch (error) {
      this.deps.log.warn({ err: error, event: event.id }, 'evaluating an event for alerts failed');
    }
  }

  /** The restarts of the longest window, from the stored events, so a loop survives a server restart. */
  private async replayRestarts(): Promise<void> {
    const windowMs = EventRules.replayWindowMs(this.rules, this.deps.timing.minuteMs);
    if (windowMs === 0) return;
    const rows = await this.deps.db.hostEvent.findMany({
      where: {
        type: 'container',
        action: { in: RESTART_ACTIONS },
        at: { gte: new Date(Date.now() - windowMs) },
      },
      orderBy: { at: 'asc' },
      select: { hostId: true, actorId: true, action: true, timeNano: true },
      take: 100_000,
    });
    rows.sort((a, b) => (BigInt(a.timeNano) < BigInt(b.timeNano) ? -1 : 1));
    for (const row of rows) this.eventRules.remember(row);
  }
}

/**
 * The store as one process's evaluators see it: the firing alerts of the hosts it follows only, so
 * a time-based check never resolves an alert whose host another process follows (and observes).
 */
function followedOnly(store: AlertStore, isFollowed: (hostId: string) => boolean): AlertSink {
  return {
    fire: (request) => store.fire(request),
    resolve: (ruleId, targetKey, at, reason) => store.resolve(ruleId, targetKey, at, reason),
    isFiring: (ruleId, targetKey) => store.isFiring(ruleId, targetKey),
    firing: () => store.firing().filter((alert) => isFollowed(alert.target.hostId)),
  };
}
