import { type AlertRule, type HostConnectionState, isConnected } from '@stevedore/shared';
import { inScope } from './rule-scope';
import { type AlertSink, targetKeyOf } from './types';

export interface HostState {
  hostId: string;
  hostName: string;
  state: HostConnectionState;
}

/**
 * "Host offline for n seconds": the hub's connection state per host. Only `offline` counts, and
 * only `online` or `degraded` clears it — `connecting` (e.g. just after the server started) neither
 * fires nor resolves, so an alert loaded from the database waits for the host's real state.
 */
export class HostOfflineRules {
  private readonly offlineSince = new Map<string, number>();

  constructor(
    private readonly sink: AlertSink,
    private readonly rules: () => readonly AlertRule[],
  ) {}

  tick(nowMs: number, hosts: readonly HostState[]): void {
    const present = new Set(hosts.map((host) => host.hostId));
    for (const host of hosts) {
      if (host.state === 'offline') {
        if (!this.offlineSince.has(host.hostId)) this.offlineSince.set(host.hostId, nowMs);
      } else this.offlineSince.delete(host.hostId);
    }
    for (const hostId of this.offlineSince.keys()) if (!present.has(hostId)) this.offlineSince.delete(hostId);
    const now = new Date(nowMs);
    const rules = this.rules();
    for (const rule of rules) {
      const { condition } = rule;
      if (!rule.enabled || condition.kind !== 'host-offline') continue;
      for (const host of hosts) {
        if (!inScope(rule, host.hostId, null)) continue;
        const key = targetKeyOf({ hostId: host.hostId, containerId: null });
        const since = this.offlineSince.get(host.hostId);
        if (since !== undefined && nowMs - since >= condition.forSeconds * 1000) {
          if (!this.sink.isFiring(rule.id, key)) {
            this.sink.fire({
              rule,
              target: {
                hostId: host.hostId,
                hostName: host.hostName,
                containerId: null,
                containerName: null,
              },
              at: now,
              summary: `host ${host.hostName} is offline`,
              details: { offlineSince: new Date(since).toISOString() },
            });
          }
        } else if (isConnected(host.state)) {
          this.sink.resolve(rule.id, key, now, `host ${host.hostName} is ${host.state}`);
        }
      }
    }
    const offlineRules = new Set(rules.filter((r) => r.condition.kind === 'host-offline').map((r) => r.id));
    for (const alert of this.sink.firing()) {
      if (offlineRules.has(alert.ruleId) && !present.has(alert.target.hostId))
        this.sink.resolve(alert.ruleId, alert.targetKey, now, 'the host was removed');
    }
  }
}
