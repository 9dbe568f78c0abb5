import type { AlertDetails, AlertKind, AlertRule, AlertTarget } from '@stevedore/shared';

/** One alert per rule and target while it fires: the target's part of that key. */
export function targetKeyOf(target: Pick<AlertTarget, 'hostId' | 'containerId'>): string {
  return target.containerId ? `${target.hostId}/${target.containerId}` : target.hostId;
}

export const firingKeyOf = (ruleId: string, targetKey: string) => `${ruleId}|${targetKey}`;

export interface FireRequest {
  rule: AlertRule;
  target: AlertTarget;
  at: Date;
  summary: string;
  details: AlertDetails;
}

/** What the evaluators know of an alert that fires now. */
export interface FiringAlert {
  ruleId: string;
  kind: AlertKind;
  targetKey: string;
  target: AlertTarget;
  firedAt: Date;
  lastSeenAt: Date;
}

/**
 * Where the evaluators' decisions go. Firing twice for one rule and target is deduplicated (the
 * second is an occurrence of the first); resolving what does not fire does nothing.
 */
export interface AlertSink {
  fire(request: FireRequest): void;
  resolve(ruleId: string, targetKey: string, at: Date, reason: string): void;
  firing(): readonly FiringAlert[];
  isFiring(ruleId: string, targetKey: string): boolean;
}
