import type { AlertRule, ContainerSummary, HostSummary } from '@stevedore/shared';
import { isConnected, USAGE_RULE_MAX_MINUTES } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { AgentHub } from '../../hub/agent-hub';
import { inScope } from './rule-scope';
import { targetKeyOf } from './types';
import { isUsageRule, type UsageRules } from './usage-rules';

/**
 * Feeds the usage rules from what the agents already record each second (their usage history),
 * so no stats stream is opened for alerts: each poll reads, per running container in some rule's
 * scope, only the complete blocks since the previous read. The first read of a container (and so
 * the first after a server restart) reaches back over the longest window, so a condition that has
 * held for a while is seen at once.
 */
export class UsageSampler {
  /** Unix second up to which each container has been read (inclusive). */
  private readonly readUntil = new Map<string, number>();
  private polling = false;

  constructor(
    private readonly hub: Pick<AgentHub, 'call' | 'status'>,
    private readonly hosts: { list(): Promise<HostSummary[]> },
    private readonly rules: () => readonly AlertRule[],
    private readonly usage: UsageRules,
    private readonly log: Logger,
    private readonly blockSeconds: number,
    /** How long a rule's minute lasts (tests shorten it; see AlertTiming). */
    private readonly minuteMs = 60_000,
  ) {}

  async poll(nowMs: number): Promise<void> {
    if (this.polling) return; // a slow host: the next poll catches up
    this.polling = true;
    try {
      const rules = this.rules().filter((rule) => rule.enabled && isUsageRule(rule));
      const seen = new Set<string>();
      if (rules.length > 0) {
        const hosts = await this.hosts.list();
        const watched = hosts.filter((host) => rules.some((rule) => inScope(rule, host.id, null)));
        await Promise.all(
          watched.map((host) => {
            if (isConnected(this.hub.status(host.id).state)) return this.pollHost(host, rules, nowMs, seen);
            this.keepHost(host.id, seen);
            return undefined;
          }),
        );
      }
      for (const key of [...this.readUntil.keys()]) {
        if (seen.has(key)) continue;
        this.readUntil.delete(key);
        this.usage.forget(key, new Date(nowMs), 'the container is not running');
      }
    } finally {
      this.polling = false;
    }
  }

  /** An unreachable host keeps its containers' windows: a short outage is no reason to resolve. */
  private keepHost(hostId: string, seen: Set<string>): void {
    for (const key of this.readUntil.keys()) if (key.startsWith(`${hostId}/`)) seen.add(key);
  }

  private async pollHost(
    host: HostSummary,
    rules: readonly AlertRule[],
    nowMs: number,
    seen: Set<string>,
  ): Promise<void> {
    let containers: ContainerSummary[];
    try {
      containers = await this.hub.call(host.id, (client) => client.containers.list.query({ all: false }));
    } catch (error) {
      this.log.debug({ hostId: host.id, err: error }, 'listing containers for usage alerts failed');
      this.keepHost(host.id, seen);
      return;
    }
    // Only whole blocks: a block read in two halves would count as two.
    const until = Math.floor(nowMs / 1000 / this.blockSeconds) * this.blockSeconds - 1;
    const longest = Math.max(...rules.map((rule) => (isUsageRule(rule) ? rule.condition.forMinutes : 0)));
    const reach =
      Math.ceil((Math.min(longest, USAGE_RULE_MAX_MINUTES) * this.minuteMs) / 1000) + this.blockSeconds;
    for (const summary of containers) {
      if (!rules.some((rule) => inScope(rule, host.id, summary.Labels))) continue;
      const target = {
        hostId: host.id,
        hostName: host.name,
        containerId: summary.Id,
        containerName: summary.Names[0]?.replace(/^\//, '') ?? null,
      };
      const key = targetKeyOf(target);
      seen.add(key);
      const since = (this.readUntil.get(key) ?? until - reach) + 1;
      if (since > until) continue;
      try {
        const history = await this.hub.call(host.id, (client) =>
          client.usage.history.query({ container: summary.Id, since, until, maxPoints: 20_000, stats: [] }),
        );
        this.readUntil.set(key, until);
        this.usage.observe(target, summary.Labels, history);
      } catch (error) {
        this.log.debug(
          { hostId: host.id, container: summary.Id, err: error },
          'reading usage for alerts failed',
        );
      }
    }
  }
}
