import type { Alert, AlertRule, WebhookPayload } from '@stevedore/shared';

/** The JSON body a webhook receives for one transition of an alert. */
export function webhookPayload(
  alert: Alert,
  rule: Pick<AlertRule, 'id' | 'name' | 'condition'>,
  event: 'fired' | 'resolved',
  sentAt: Date,
): WebhookPayload {
  return {
    version: 1,
    event,
    alert: {
      id: alert.id,
      state: alert.state,
      summary: alert.summary,
      firedAt: alert.firedAt,
      lastSeenAt: alert.lastSeenAt,
      resolvedAt: alert.resolvedAt,
      occurrences: alert.occurrences,
      details: alert.details,
    },
    rule: { id: rule.id, name: rule.name, condition: rule.condition },
    target: alert.target,
    sentAt: sentAt.toISOString(),
  };
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled for each further one. */
  backoffMs: number;
  maxBackoffMs: number;
  /** How long one request may take, answer included. */
  timeoutMs: number;
  /**
   * A delivery's claim not renewed for this long is abandoned (its process died) and another
   * process sends it (default 60 s; renewed every third of it while a process works on it).
   */
  claimMs?: number;
  /** How often unclaimed and abandoned deliveries are looked for (default 15 s). */
  sweepMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  backoffMs: 2_000,
  maxBackoffMs: 60_000,
  timeoutMs: 5_000,
};

/** Wait after failed attempt number `attempt` (1-based) before the next; null when none is left. */
export function retryDelayMs(attempt: number, policy: RetryPolicy): number | null {
  if (attempt >= policy.attempts) return null;
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
}

/** Whether an answer counts as delivered: any 2xx. Redirects are not followed (and not success). */
export const delivered = (status: number) => status >= 200 && status < 300;
