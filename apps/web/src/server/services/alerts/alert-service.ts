import { randomUUID } from 'node:crypto';
import {
  type Alert,
  type AlertPanel,
  type AlertRule,
  type AlertRuleInput,
  AlertRuleInputSchema,
  type HostSummary,
  type ListAlertsInput,
  ListAlertsInputSchema,
  type SessionUser,
  StevedoreError,
  type UpdateAlertRuleInput,
  UpdateAlertRuleInputSchema,
  type UpdateWebhookInput,
  UpdateWebhookInputSchema,
  type Webhook,
  type WebhookDelivery,
  type WebhookInput,
  WebhookInputSchema,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/client';
import {
  alertOf,
  countFiring,
  createRule,
  createWebhook,
  deleteRule,
  deleteWebhook,
  deliveriesOf,
  deliveryOf,
  findRule,
  findWebhook,
  lastDeliveryOf,
  listAlerts,
  listRules,
  listWebhooks,
  pruneResolvedAlerts,
  recentlyResolved,
  ruleIdsOf,
  updateRule,
  updateWebhook,
  type WebhookRecord,
} from '../../db/repositories/alerts';
import type { AgentHub } from '../../hub/agent-hub';
import { listen } from '../../util/listen';
import { audited } from '../audited';
import { AlertStore } from './alert-store';
import { AlertEvaluator, type AlertTiming, DEFAULT_ALERT_TIMING } from './evaluator';
import type { RetryPolicy } from './webhook-payload';
import { WebhookSender, webhookSecretBinding } from './webhook-sender';

const RECENT_MS = 24 * 3_600_000;
const RESOLVED_KEPT_DAYS = 30;

export interface AlertServiceDeps {
  db: Db;
  secrets: SecretBox;
  hub: Pick<AgentHub, 'call' | 'status' | 'isFollowed'>;
  hosts: { list(): Promise<HostSummary[]> };
  events: ConstructorParameters<typeof AlertEvaluator>[0]['events'];
  log: Logger;
  timing?: Partial<AlertTiming>;
  retry?: RetryPolicy;
}

/**
 * Alert rules, the alerts they fire and the webhooks told about them: what the router calls. The
 * evaluator starts with the service and picks up the firing alerts a previous run left.
 */
export class AlertService {
  readonly store: AlertStore;
  readonly evaluator: AlertEvaluator;
  readonly webhooks: WebhookSender;
  /** Settles once the rules and the firing alerts are loaded and the evaluator runs. */
  readonly ready: Promise<void>;
  private readonly db: Db;
  private readonly secrets: SecretBox;

  constructor(deps: AlertServiceDeps) {
    this.db = deps.db;
    this.secrets = deps.secrets;
    this.webhooks = new WebhookSender(
      deps.db,
      deps.secrets,
      deps.log.child({ part: 'webhooks' }),
      deps.retry,
    );
    this.store = new AlertStore(deps.db, deps.log, (transition) => this.webhooks.send(transition));
    this.evaluator = new AlertEvaluator({
      db: deps.db,
      store: this.store,
      hub: deps.hub,
      hosts: deps.hosts,
      events: deps.events,
      log: deps.log,
      timing: { ...DEFAULT_ALERT_TIMING, ...deps.timing },
    });
    const { db } = deps;
    const { evaluator, webhooks } = this;
    this.ready = (async () => {
      await pruneResolvedAlerts(db, new Date(Date.now() - RESOLVED_KEPT_DAYS * 86_400_000));
      await evaluator.start(await listRules(db));
      webhooks.startSweeping();
    })().catch((error: unknown) => deps.log.error({ err: error }, 'alerts did not start'));
  }

  // ---- rules ----

  listRules(): Promise<AlertRule[]> {
    return listRules(this.db);
  }

  async createRule(actor: SessionUser, input: AlertRuleInput): Promise<AlertRule> {
    const values = AlertRuleInputSchema.parse(input);
    return audited(
      this.db,
      actor,
      { action: 'alert-rule.create', target: values.name, params: { ...values } },
      async () => {
        const rule = await createRule(this.db, values);
        await this.reloadRules();
        return rule;
      },
    );
  }

  async updateRule(actor: SessionUser, input: UpdateAlertRuleInput): Promise<AlertRule> {
    const { id, ...values } = UpdateAlertRuleInputSchema.parse(input);
    const before = await this.ruleOrThrow(id);
    return audited(
      this.db,
      actor,
      {
        action: 'alert-rule.update',
        target: before.name,
        params: { id, before: publicRule(before), after: values },
      },
      async () => {
        const rule = await updateRule(this.db, id, values);
        const changed =
          !rule.enabled ||
          JSON.stringify([before.condition, before.hostIds, before.labels]) !==
            JSON.stringify([rule.condition, rule.hostIds, rule.labels]);
        // What fires under the old condition or scope is no longer what this rule means.
        if (changed)
          this.store.resolveRule(
            id,
            new Date(),
            rule.enabled ? 'the rule was changed' : 'the rule was disabled',
          );
        await this.reloadRules();
        return rule;
      },
    );
  }

  async deleteRule(actor: SessionUser, id: string): Promise<void> {
    const rule = await this.ruleOrThrow(id);
    await audited(
      this.db,
      actor,
      { action: 'alert-rule.delete', target: rule.name, params: { id, rule: publicRule(rule) } },
      async () => {
        this.store.forgetRule(id);
        await this.store.flush();
        await deleteRule(this.db, id);
        await this.reloadRules();
      },
    );
  }

  // ---- alerts ----

  async listAlerts(input: ListAlertsInput = {}): Promise<Alert[]> {
    const filter = ListAlertsInputSchema.parse(input);
    await this.store.flush();
    return (await listAlerts(this.db, filter)).map(alertOf);
  }

  async panel(): Promise<AlertPanel> {
    await this.store.flush();
    const [firingCount, firing, resolved] = await Promise.all([
      countFiring(this.db),
      listAlerts(this.db, { state: 'firing', limit: 50 }),
      recentlyResolved(this.db, new Date(Date.now() - RECENT_MS), 10),
    ]);
    return { firingCount, firing: firing.map(alertOf), recentlyResolved: resolved.map(alertOf) };
  }

  /** The panel now, then again after every change, until the signal aborts. */
  watchPanel(signal: AbortSignal | undefined): AsyncGenerator<AlertPanel> {
    return listen<AlertPanel>(
      (push) => {
        let reading = false;
        let again = false;
        const read = async () => {
          if (reading) {
            again = true;
            return;
          }
          reading = true;
          try {
            do {
              again = false;
              push(await this.panel());
            } while (again);
          } finally {
            reading = false;
          }
        };
        return this.store.onChange(() => void read().catch(() => undefined));
      },
      signal,
      async () => [await this.panel()],
    );
  }

  // ---- webhooks ----

  /** Admins see whole URLs; others only where they point (a URL's path often holds a token). */
  async listWebhooks(viewer: Pick<SessionUser, 'role'>): Promise<Webhook[]> {
    const rows = await listWebhooks(this.db);
    return Promise.all(
      rows.map(async (row) => {
        const last = await lastDeliveryOf(this.db, row.id);
        const webhook = webhookOf(row, last ? deliveryOf(last) : null);
        return viewer.role === 'admin' ? webhook : { ...webhook, url: `${new URL(row.url).origin}/…` };
      }),
    );
  }

  async deliveries(webhookId: string, limit = 20): Promise<WebhookDelivery[]> {
    return (await deliveriesOf(this.db, webhookId, limit)).map(deliveryOf);
  }

  async createWebhook(actor: SessionUser, input: WebhookInput): Promise<Webhook> {
    const values = WebhookInputSchema.parse(input);
    const id = randomUUID();
    return audited(
      this.db,
      actor,
      { action: 'webhook.create', target: values.name, params: webhookParams(values) },
      async () => {
        const secretHeaderName = values.secretHeaderName || null;
        const row = await createWebhook(this.db, {
          name: values.name,
          url: values.url,
          enabled: values.enabled,
          ruleIds: values.ruleIds,
          secretHeaderName,
          secretHeaderCiphertext:
            secretHeaderName && values.secretHeaderValue
              ? this.secrets.encrypt(values.secretHeaderValue, webhookSecretBinding(id))
              : null,
          ...{ id },
        });
        return webhookOf(row, null);
      },
    );
  }

  async updateWebhook(actor: SessionUser, input: UpdateWebhookInput): Promise<Webhook> {
    const { id, clearSecret, ...values } = UpdateWebhookInputSchema.parse(input);
    const before = await findWebhook(this.db, id);
    if (!before) throw new StevedoreError('NOT_FOUND', `no webhook ${id}`, { id });
    return audited(
      this.db,
      actor,
      {
        action: 'webhook.update',
        target: values.name,
        params: { id, ...webhookParams(values), clearSecret },
      },
      async () => {
        const secretHeaderName = values.secretHeaderName || null;
        const kept = clearSecret || !secretHeaderName ? null : before.secretHeaderCiphertext;
        const row = await updateWebhook(this.db, id, {
          name: values.name,
          url: values.url,
          enabled: values.enabled,
          ruleIds: values.ruleIds,
          secretHeaderName,
          secretHeaderCiphertext:
            secretHeaderName && values.secretHeaderValue
              ? this.secrets.encrypt(values.secretHeaderValue, webhookSecretBinding(id))
              : kept,
        });
        const last = await lastDeliveryOf(this.db, id);
        return webhookOf(row, last ? deliveryOf(last) : null);
      },
    );
  }

  async deleteWebhook(actor: SessionUser, id: string): Promise<void> {
    const before = await findWebhook(this.db, id);
    if (!before) throw new StevedoreError('NOT_FOUND', `no webhook ${id}`, { id });
    await audited(
      this.db,
      actor,
      { action: 'webhook.delete', target: before.name, params: { id, url: before.url } },
      async () => {
        await deleteWebhook(this.db, id);
      },
    );
  }

  async close(): Promise<void> {
    await this.ready;
    this.evaluator.close();
    await this.store.flush();
    await this.webhooks.close();
  }

  private async reloadRules(): Promise<void> {
    this.evaluator.setRules(await listRules(this.db));
  }

  private async ruleOrThrow(id: string): Promise<AlertRule> {
    const rule = await findRule(this.db, id);
    if (!rule) throw new StevedoreError('NOT_FOUND', `no alert rule ${id}`, { id });
    return rule;
  }
}

const publicRule = (rule: AlertRule) => ({
  name: rule.name,
  enabled: rule.enabled,
  condition: rule.condition,
  hostIds: rule.hostIds,
  labels: rule.labels,
});

/** What the audit log keeps of a webhook: never the secret value. */
const webhookParams = (values: ReturnType<typeof WebhookInputSchema.parse>) => ({
  name: values.name,
  url: values.url,
  enabled: values.enabled,
  ruleIds: values.ruleIds,
  secretHeaderName: values.secretHeaderName || null,
  secretHeaderValue: values.secretHeaderValue ? '(set)' : '(unchanged)',
});

function webhookOf(row: WebhookRecord, lastDelivery: WebhookDelivery | null): Webhook {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    enabled: row.enabled,
    secretHeaderName: row.secretHeaderName,
    hasSecret: row.secretHeaderCiphertext !== null,
    ruleIds: ruleIdsOf(row),
    lastDelivery,
    createdAt: row.createdAt.toISOString(),
  };
}
