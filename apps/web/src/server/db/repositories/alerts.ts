import {
  type Alert,
  AlertConditionSchema,
  AlertDetailsSchema,
  AlertKindSchema,
  type AlertRule,
  type AlertRuleValues,
  AlertStateSchema,
  type DeliveryStatus,
  type WebhookDelivery,
} from '@stevedore/shared';
import { z } from 'zod';
import type { Db } from '../client';

const stringList = z.array(z.string());
const parseJson = <T>(schema: z.ZodType<T>, text: string): T => schema.parse(JSON.parse(text));

// ---- rules ----

interface RuleRow {
  id: string;
  name: string;
  enabled: boolean;
  kind: string;
  condition: string;
  hostIds: string;
  labels: string;
  createdAt: Date;
  updatedAt: Date;
}

export const ruleOf = (row: RuleRow): AlertRule => ({
  id: row.id,
  name: row.name,
  enabled: row.enabled,
  condition: AlertConditionSchema.parse({ ...JSON.parse(row.condition), kind: row.kind }),
  hostIds: parseJson(stringList, row.hostIds),
  labels: parseJson(stringList, row.labels),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const ruleData = (values: AlertRuleValues) => {
  const { kind, ...parameters } = values.condition;
  return {
    name: values.name,
    enabled: values.enabled,
    kind,
    condition: JSON.stringify(parameters),
    hostIds: JSON.stringify(values.hostIds),
    labels: JSON.stringify(values.labels),
  };
};

export const listRules = async (db: Db) =>
  (await db.alertRule.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(ruleOf);

export const findRule = async (db: Db, id: string) => {
  const row = await db.alertRule.findUnique({ where: { id } });
  return row ? ruleOf(row) : null;
};

export const createRule = async (db: Db, values: AlertRuleValues) =>
  ruleOf(await db.alertRule.create({ data: ruleData(values) }));

export const updateRule = async (db: Db, id: string, values: AlertRuleValues) =>
  ruleOf(await db.alertRule.update({ where: { id }, data: ruleData(values) }));

export const deleteRule = (db: Db, id: string) => db.alertRule.delete({ where: { id } });

// ---- alerts ----

interface AlertRow {
  id: string;
  ruleId: string;
  ruleName: string;
  kind: string;
  hostId: string;
  hostName: string;
  containerId: string | null;
  containerName: string | null;
  targetKey: string;
  state: string;
  firedAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  occurrences: number;
  summary: string;
  details: string;
}

export const alertOf = (row: AlertRow): Alert => ({
  id: row.id,
  ruleId: row.ruleId,
  ruleName: row.ruleName,
  kind: AlertKindSchema.parse(row.kind),
  target: {
    hostId: row.hostId,
    hostName: row.hostName,
    containerId: row.containerId,
    containerName: row.containerName,
  },
  state: AlertStateSchema.parse(row.state),
  firedAt: row.firedAt.toISOString(),
  lastSeenAt: row.lastSeenAt.toISOString(),
  resolvedAt: row.resolvedAt?.toISOString() ?? null,
  occurrences: row.occurrences,
  summary: row.summary,
  details: parseJson(AlertDetailsSchema, row.details),
});

export const firingAlerts = (db: Db) =>
  db.alert.findMany({ where: { state: 'firing' }, orderBy: { firedAt: 'desc' } });

export interface NewAlert {
  ruleId: string;
  ruleName: string;
  kind: string;
  hostId: string;
  hostName: string;
  containerId: string | null;
  containerName: string | null;
  targetKey: string;
  firingKey: string;
  at: Date;
  summary: string;
  details: Record<string, unknown>;
}

export const insertAlert = (db: Db, alert: NewAlert) => {
  const { at, details, ...rest } = alert;
  return db.alert.create({
    data: { ...rest, state: 'firing', firedAt: at, lastSeenAt: at, details: JSON.stringify(details) },
  });
};

/** Another occurrence of an alert that still fires. */
export const recordOccurrence = (
  db: Db,
  id: string,
  at: Date,
  summary: string,
  details: Record<string, unknown>,
) =>
  db.alert.update({
    where: { id },
    data: { lastSeenAt: at, occurrences: { increment: 1 }, summary, details: JSON.stringify(details) },
  });

/** The firing alert of a rule and target, if one is stored (another process may have fired it). */
export const findFiring = (db: Db, firingKey: string) => db.alert.findUnique({ where: { firingKey } });

/**
 * Resolves an alert that still fires; true when this call resolved it (with several processes,
 * only the one whose update found it firing announces the transition).
 */
export const resolveAlert = async (db: Db, id: string, at: Date, details: Record<string, unknown>) =>
  (
    await db.alert.updateMany({
      where: { id, state: 'firing' },
      data: { state: 'resolved', resolvedAt: at, firingKey: null, details: JSON.stringify(details) },
    })
  ).count === 1;

export const listAlerts = (db: Db, filter: { state?: string; ruleId?: string; limit: number }) =>
  db.alert.findMany({
    where: {
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.ruleId ? { ruleId: filter.ruleId } : {}),
    },
    orderBy: [{ firedAt: 'desc' }, { id: 'desc' }],
    take: filter.limit,
  });

export const recentlyResolved = (db: Db, since: Date, limit: number) =>
  db.alert.findMany({
    where: { state: 'resolved', resolvedAt: { gte: since } },
    orderBy: [{ resolvedAt: 'desc' }, { id: 'desc' }],
    take: limit,
  });

export const countFiring = (db: Db) => db.alert.count({ where: { state: 'firing' } });

export const pruneResolvedAlerts = (db: Db, before: Date) =>
  db.alert.deleteMany({ where: { state: 'resolved', resolvedAt: { lt: before } } });

// ---- webhooks and deliveries ----

export interface WebhookRecord {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  secretHeaderName: string | null;
  secretHeaderCiphertext: string | null;
  ruleIds: string;
  createdAt: Date;
  updatedAt: Date;
}

export const listWebhooks = (db: Db): Promise<WebhookRecord[]> =>
  db.webhook.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });

export const findWebhook = (db: Db, id: string) => db.webhook.findUnique({ where: { id } });

export interface WebhookData {
  name: string;
  url: string;
  enabled: boolean;
  secretHeaderName: string | null;
  secretHeaderCiphertext: string | null;
  ruleIds: string[];
}

export const createWebhook = (db: Db, data: WebhookData) =>
  db.webhook.create({ data: { ...data, ruleIds: JSON.stringify(data.ruleIds) } });

export const updateWebhook = (db: Db, id: string, data: WebhookData) =>
  db.webhook.update({ where: { id }, data: { ...data, ruleIds: JSON.stringify(data.ruleIds) } });

export const deleteWebhook = (db: Db, id: string) => db.webhook.delete({ where: { id } });

export const ruleIdsOf = (webhook: Pick<WebhookRecord, 'ruleIds'>) => parseJson(stringList, webhook.ruleIds);

interface DeliveryRow {
  id: string;
  webhookId: string;
  alertId: string;
  event: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const deliveryOf = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  webhookId: row.webhookId,
  alertId: row.alertId,
  event: z.enum(['fired', 'resolved']).parse(row.event),
  // 'sending' is a pending delivery a process has claimed (see claimDelivery).
  status: z.enum(['pending', 'delivered', 'failed']).parse(row.status === SENDING ? 'pending' : row.status),
  attempts: row.attempts,
  responseStatus: row.responseStatus,
  lastError: row.lastError,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * A delivery is sent by the one process that claimed it: status 'sending' with an `updatedAt` the
 * claimant refreshes while it works on it (retries' waits included). A claim not refreshed for the
 * claim time is abandoned (its process died) and may be taken by another. Every step is one
 * conditional update, so two processes never both hold a claim. The times are the processes'
 * clocks: the claim time (tens of seconds) must exceed their skew.
 */
const SENDING = 'sending';

/** A new delivery, claimed by the process that creates it. */
export const createDelivery = (
  db: Db,
  data: { webhookId: string; alertId: string; event: 'fired' | 'resolved' },
) => db.webhookDelivery.create({ data: { ...data, status: SENDING } });

/** Takes a pending delivery, or one whose claim was abandoned before `staleBefore`; true if taken. */
export const claimDelivery = async (db: Db, id: string, staleBefore: Date, now: Date) =>
  (
    await db.webhookDelivery.updateMany({
      where: { id, OR: [{ status: 'pending' }, { status: SENDING, updatedAt: { lt: staleBefore } }] },
      data: { status: SENDING, updatedAt: now },
    })
  ).count === 1;

/**
 * Refreshes this process's claim (made or last renewed at `claimedAt`) to `now`; false when it was
 * lost (taken over after going stale).
 */
export const renewDeliveryClaim = async (db: Db, id: string, claimedAt: Date, now: Date) =>
  (
    await db.webhookDelivery.updateMany({
      where: { id, status: SENDING, updatedAt: claimedAt },
      data: { updatedAt: now },
    })
  ).count === 1;

/** Records an attempt's outcome while the claim (made or renewed at `claimedAt`) still holds. */
export const updateDelivery = async (
  db: Db,
  id: string,
  claimedAt: Date,
  now: Date,
  data: { status: DeliveryStatus; attempts: number; responseStatus: number | null; lastError: string | null },
) =>
  (
    await db.webhookDelivery.updateMany({
      where: { id, status: SENDING, updatedAt: claimedAt },
      // Still pending: a retry follows, and the claim stays with this process meanwhile.
      data: { ...data, status: data.status === 'pending' ? SENDING : data.status, updatedAt: now },
    })
  ).count === 1;

/** Deliveries nobody holds: pending, or claimed by a process that stopped renewing before `staleBefore`. */
export const claimableDeliveries = (db: Db, staleBefore: Date) =>
  db.webhookDelivery.findMany({
    where: { OR: [{ status: 'pending' }, { status: SENDING, updatedAt: { lt: staleBefore } }] },
    orderBy: { createdAt: 'asc' },
    select: { id: true },
    take: 1000,
  });

/** Gives a claim back at a clean shutdown, so another process sends it without waiting. */
export const releaseDelivery = (db: Db, id: string, claimedAt: Date) =>
  db.webhookDelivery.updateMany({
    where: { id, status: SENDING, updatedAt: claimedAt },
    data: { status: 'pending' },
  });

export const lastDeliveryOf = (db: Db, webhookId: string) =>
  db.webhookDelivery.findFirst({ where: { webhookId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });

export const deliveriesOf = (db: Db, webhookId: string, limit: number) =>
  db.webhookDelivery.findMany({
    where: { webhookId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
  });

export const findAlert = (db: Db, id: string) => db.alert.findUnique({ where: { id } });
