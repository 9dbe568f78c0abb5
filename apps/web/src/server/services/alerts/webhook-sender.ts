import type { AlertRule } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/client';
import {
  alertOf,
  claimableDeliveries,
  claimDelivery,
  createDelivery,
  findAlert,
  findRule,
  findWebhook,
  listWebhooks,
  ruleIdsOf,
  updateDelivery,
  type WebhookRecord,
} from '../../db/repositories/alerts';
import type { AlertTransition } from './alert-store';
import { DeliveryClaim } from './delivery-claim';
import { DEFAULT_RETRY, delivered, type RetryPolicy, retryDelayMs, webhookPayload } from './webhook-payload';

/** The secret box's binding of a webhook's header value (it cannot be moved to another row). */
export const webhookSecretBinding = (webhookId: string) => `webhook:${webhookId}`;

const DEFAULT_CLAIM_MS = 60_000;
const DEFAULT_SWEEP_MS = 15_000;

/**
 * Sends alert transitions to the webhooks that want them: a JSON POST with a timeout, retried with
 * back-off, each attempt's outcome kept in the delivery's record. Each delivery is sent by the one
 * process that claimed it in the database (see claimDelivery); deliveries left pending by a stopped
 * server, or claimed by a process that died, are found by a periodic sweep and sent by another.
 */
export class WebhookSender {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  /** Deliveries this process holds the claim of. */
  private readonly active = new Set<string>();
  private sweeper: NodeJS.Timeout | null = null;
  private readonly claimMs: number;
  private readonly sweepMs: number;

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly log: Logger,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.claimMs = retry.claimMs ?? DEFAULT_CLAIM_MS;
    this.sweepMs = retry.sweepMs ?? DEFAULT_SWEEP_MS;
  }

  /** Queues one delivery per enabled webhook that takes this alert's rule. */
  send(transition: AlertTransition): void {
    this.track(this.fanOut(transition));
  }

  /** Sends what is pending now and keeps looking for abandoned deliveries until `close`. */
  startSweeping(): void {
    if (this.sweeper || this.stop.signal.aborted) return;
    this.track(this.sweep());
    this.sweeper = setInterval(() => this.track(this.sweep()), this.sweepMs);
    this.sweeper.unref();
  }

  /** Resolves once every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.stop.abort();
    await this.idle();
  }

  /** Claims and sends each delivery nobody holds (pending, or its claimant stopped renewing). */
  private async sweep(): Promise<void> {
    const staleBefore = new Date(Date.now() - this.claimMs);
    for (const { id } of await claimableDeliveries(this.db, staleBefore)) {
      if (this.active.has(id) || this.stop.signal.aborted) continue;
      const claimedAt = new Date();
      if (await claimDelivery(this.db, id, staleBefore, claimedAt)) {
        this.log.info({ deliveryId: id }, 'sending a webhook delivery nobody was sending');
        this.track(this.deliver(id, claimedAt));
      }
    }
  }

  private async fanOut({ alertId, event }: AlertTransition): Promise<void> {
    const alert = await findAlert(this.db, alertId);
    if (!alert) return;
    for (const webhook of await listWebhooks(this.db)) {
      if (!webhook.enabled) continue;
      const ruleIds = ruleIdsOf(webhook);
      if (ruleIds.length > 0 && !ruleIds.includes(alert.ruleId)) continue;
      const delivery = await createDelivery(this.db, { webhookId: webhook.id, alertId, event });
      this.track(this.deliver(delivery.id, delivery.updatedAt));
    }
  }

  /** Sends one delivery this process has claimed (at `claimedAt`), renewing the claim meanwhile. */
  private async deliver(deliveryId: string, claimedAt: Date): Promise<void> {
    if (this.active.has(deliveryId)) return;
    this.active.add(deliveryId);
    const claim = new DeliveryClaim(this.db, deliveryId, claimedAt);
    const renewal = setInterval(
      () =>
        void claim
          .renew()
          .catch((error: unknown) =>
            this.log.warn({ err: error, deliveryId }, 'renewing a webhook delivery claim failed'),
          ),
      Math.max(100, Math.floor(this.claimMs / 3)),
    );
    renewal.unref();
    try {
      await this.attempts(deliveryId, claim);
    } finally {
      clearInterval(renewal);
      this.active.delete(deliveryId);
      // Stopped with the delivery unfinished: another process may send it at once.
      if (this.stop.signal.aborted) await claim.release();
    }
  }

  private async attempts(deliveryId: string, claim: DeliveryClaim): Promise<void> {
    const delivery = await this.db.webhookDelivery.findUnique({ where: { id: deliveryId } });
    if (!delivery || delivery.status === 'delivered' || delivery.status === 'failed') return;
    const [webhook, alertRow] = await Promise.all([
      findWebhook(this.db, delivery.webhookId),
      findAlert(this.db, delivery.alertId),
    ]);
    if (!webhook || !alertRow) return;
    const rule: Pick<AlertRule, 'id' | 'name' | 'condition'> | null = await findRule(
      this.db,
      alertRow.ruleId,
    );
    if (!rule) return;
    const event = delivery.event === 'resolved' ? 'resolved' : 'fired';
    let attempts = delivery.attempts;
    while (!this.stop.signal.aborted && claim.held) {
      attempts++;
      const body = JSON.stringify(webhookPayload(alertOf(alertRow), rule, event, new Date()));
      const outcome = await this.post(webhook, body);
      const done = outcome.ok || retryDelayMs(attempts, this.retry) === null;
      const recorded = await claim.step((claimedAt, now) =>
        updateDelivery(this.db, deliveryId, claimedAt, now, {
          status: outcome.ok ? 'delivered' : done ? 'failed' : 'pending',
          attempts,
          responseStatus: outcome.status,
          lastError: outcome.error,
        }),
      );
      if (!recorded) {
        this.log.warn({ webhookId: webhook.id, deliveryId }, 'lost the claim of a webhook delivery');
        return;
      }
      if (done) {
        claim.finish();
        if (!outcome.ok)
          this.log.warn(
            { webhookId: webhook.id, deliveryId, error: outcome.error },
            'webhook delivery failed',
          );
        return;
      }
      await this.sleep(retryDelayMs(attempts, this.retry) ?? 0);
    }
  }

  private async post(
    webhook: WebhookRecord,
    body: string,
  ): Promise<{ ok: boolean; status: number | null; error: string | null }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'stevedore-alerts/1',
    };
    if (webhook.secretHeaderName && webhook.secretHeaderCiphertext) {
      headers[webhook.secretHeaderName] = this.secrets.decrypt(
        webhook.secretHeaderCiphertext,
        webhookSecretBinding(webhook.id),
      );
    }
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.retry.timeoutMs), this.stop.signal]),
      });
      await response.body?.cancel();
      if (delivered(response.status)) return { ok: true, status: response.status, error: null };
      const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
      return {
        ok: false,
        status: response.status,
        error: `the receiver answered ${response.status}${redirect}`,
      };
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const message = timedOut
        ? `no answer within ${this.retry.timeoutMs} ms`
        : error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`
          : String(error);
      return { ok: false, status: null, error: message };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.stop.signal.addEventListener('abort', done, { once: true });
    });
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.log.warn({ err: error }, 'webhook delivery stopped by an error'),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}
