import { z } from 'zod';
import { LabelSelectorSchema } from './limits/label-selector.js';

/**
 * Alerts: rules watched by the dashboard's server, the alerts they fire (stored, one per rule and
 * target while firing, resolved when the condition clears) and the webhooks told about them.
 */

export const ALERT_KINDS = [
  'oom',
  'restart-loop',
  'cpu-throttling',
  'memory-high',
  'unhealthy',
  'host-offline',
] as const;
export const AlertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKindSchema>;

/** What each kind means, for the rule form and the alerts page. */
export const ALERT_KIND_LABELS: Record<AlertKind, string> = {
  oom: 'OOM kill',
  'restart-loop': 'Restart loop',
  'cpu-throttling': 'Sustained CPU throttling',
  'memory-high': 'Memory near the limit',
  unhealthy: 'Unhealthy healthcheck',
  'host-offline': 'Host offline',
};

/** Kinds about one container (the others are about a host). */
export const CONTAINER_ALERT_KINDS: readonly AlertKind[] = [
  'oom',
  'restart-loop',
  'cpu-throttling',
  'memory-high',
  'unhealthy',
];

const minutes = (max: number) =>
  z
    .number({ message: 'must be a number of minutes' })
    .int({ message: 'must be whole minutes' })
    .min(1, { message: 'must be at least 1 minute' })
    .max(max, { message: `must be at most ${max} minutes` });
const percent = z
  .number({ message: 'must be a percentage' })
  .min(1, { message: 'must be at least 1 %' })
  .max(100, { message: 'must be at most 100 %' });

/** The longest window a usage rule may watch: the agent keeps 1 s samples for an hour. */
export const USAGE_RULE_MAX_MINUTES = 60;

/** The condition of a rule, by kind. */
export const AlertConditionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('oom'),
    /** The alert resolves after this long without another OOM kill of the container. */
    clearAfterMinutes: minutes(1440).default(10),
  }),
  z.object({
    kind: z.literal('restart-loop'),
    restarts: z
      .number({ message: 'must be a number of restarts' })
      .int()
      .min(2, { message: 'must be at least 2 restarts' })
      .max(1000, { message: 'must be at most 1000 restarts' }),
    windowMinutes: minutes(1440),
  }),
  z.object({
    kind: z.literal('cpu-throttling'),
    /** Share of the CFS periods in which the container was throttled. */
    thresholdPercent: percent,
    forMinutes: minutes(USAGE_RULE_MAX_MINUTES),
  }),
  z.object({
    kind: z.literal('memory-high'),
    /** Working set (page cache excluded) as a share of the container's memory limit. */
    thresholdPercent: percent,
    forMinutes: minutes(USAGE_RULE_MAX_MINUTES),
  }),
  z.object({ kind: z.literal('unhealthy') }),
  z.object({
    kind: z.literal('host-offline'),
    /** The host must stay offline this long before the alert fires (0: at once). */
    forSeconds: z
      .number({ message: 'must be a number of seconds' })
      .int()
      .min(0, { message: 'must not be negative' })
      .max(86_400, { message: 'must be at most 86400 seconds (a day)' }),
  }),
]);
export type AlertCondition = z.infer<typeof AlertConditionSchema>;
export type AlertConditionInput = z.input<typeof AlertConditionSchema>;

const HostIdSchema = z.string().min(1).max(64);

export const AlertRuleInputSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, { message: 'give the rule a name' })
    .max(100, { message: 'must be at most 100 characters' }),
  enabled: z.boolean().default(true),
  condition: AlertConditionSchema,
  /** The hosts watched; empty: every host. */
  hostIds: z.array(HostIdSchema).max(500).default([]),
  /** Containers must match every selector; empty: every container. Not used by host rules. */
  labels: z.array(LabelSelectorSchema).max(32).default([]),
});
export type AlertRuleInput = z.input<typeof AlertRuleInputSchema>;
export type AlertRuleValues = z.output<typeof AlertRuleInputSchema>;

export const AlertRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  condition: AlertConditionSchema,
  hostIds: z.array(z.string()),
  labels: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AlertRule = z.infer<typeof AlertRuleSchema>;

export const UpdateAlertRuleInputSchema = AlertRuleInputSchema.extend({ id: z.string().min(1).max(64) });
export type UpdateAlertRuleInput = z.input<typeof UpdateAlertRuleInputSchema>;
export const AlertIdInputSchema = z.object({ id: z.string().min(1).max(64) });

export const AlertStateSchema = z.enum(['firing', 'resolved']);
export type AlertState = z.infer<typeof AlertStateSchema>;

/** What an alert is about: a host, or one container on it. */
export const AlertTargetSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  containerId: z.string().nullable(),
  containerName: z.string().nullable(),
});
export type AlertTarget = z.infer<typeof AlertTargetSchema>;

export const AlertDetailsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type AlertDetails = z.infer<typeof AlertDetailsSchema>;

export const AlertSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  kind: AlertKindSchema,
  target: AlertTargetSchema,
  state: AlertStateSchema,
  firedAt: z.string(),
  /** The newest occurrence while firing (another OOM kill, a further sample above the threshold). */
  lastSeenAt: z.string(),
  resolvedAt: z.string().nullable(),
  /** How many times the condition was seen while this alert fired (deduplicated into it). */
  occurrences: z.number().int().positive(),
  summary: z.string(),
  details: AlertDetailsSchema,
});
export type Alert = z.infer<typeof AlertSchema>;

export const ListAlertsInputSchema = z
  .object({
    state: AlertStateSchema.optional(),
    ruleId: z.string().max(64).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .default({ limit: 100 });
export type ListAlertsInput = z.input<typeof ListAlertsInputSchema>;

/** The notifications panel: what fires now and what resolved lately. */
export const AlertPanelSchema = z.object({
  firingCount: z.number().int().nonnegative(),
  firing: z.array(AlertSchema),
  recentlyResolved: z.array(AlertSchema),
});
export type AlertPanel = z.infer<typeof AlertPanelSchema>;

/** An HTTP header name (RFC 9110 token). */
const HeaderNameSchema = z
  .string()
  .trim()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, {
    message: 'must be a header name such as X-Webhook-Secret',
  });

export const WebhookUrlSchema = z
  .string()
  .trim()
  .max(2000, { message: 'must be at most 2000 characters' })
  .refine(
    (value) => {
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    },
    { message: 'must be an http:// or https:// URL' },
  )
  .refine(
    (value) => !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''),
    {
      message: 'put credentials in the secret header, not in the URL',
    },
  );

export const WebhookInputSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, { message: 'give the webhook a name' })
    .max(100, { message: 'must be at most 100 characters' }),
  url: WebhookUrlSchema,
  enabled: z.boolean().default(true),
  /** Sent with every request so the receiver can tell the dashboard's calls from others'. */
  secretHeaderName: z.union([HeaderNameSchema, z.literal('')]).default(''),
  /** Empty on update: keep the stored value (it is never sent back to the browser). */
  secretHeaderValue: z.string().max(4096).default(''),
  /** The rules whose alerts are sent; empty: every rule. */
  ruleIds: z.array(z.string().min(1).max(64)).max(500).default([]),
});
export type WebhookInput = z.input<typeof WebhookInputSchema>;
export type WebhookValues = z.output<typeof WebhookInputSchema>;
export const UpdateWebhookInputSchema = WebhookInputSchema.extend({
  id: z.string().min(1).max(64),
  /** Drops the stored secret value (an empty value alone keeps it). */
  clearSecret: z.boolean().default(false),
});
export type UpdateWebhookInput = z.input<typeof UpdateWebhookInputSchema>;

export const DeliveryStatusSchema = z.enum(['pending', 'delivered', 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

export const WebhookDeliverySchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  alertId: z.string(),
  event: z.enum(['fired', 'resolved']),
  status: DeliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  /** The receiver's HTTP status of the last attempt; null when it did not answer. */
  responseStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const WebhookSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  secretHeaderName: z.string().nullable(),
  /** Whether a secret value is stored (the value itself never leaves the server). */
  hasSecret: z.boolean(),
  ruleIds: z.array(z.string()),
  lastDelivery: WebhookDeliverySchema.nullable(),
  createdAt: z.string(),
});
export type Webhook = z.infer<typeof WebhookSchema>;

/** The JSON body POSTed to a webhook. */
export const WebhookPayloadSchema = z.object({
  version: z.literal(1),
  event: z.enum(['fired', 'resolved']),
  alert: z.object({
    id: z.string(),
    state: AlertStateSchema,
    summary: z.string(),
    firedAt: z.string(),
    lastSeenAt: z.string(),
    resolvedAt: z.string().nullable(),
    occurrences: z.number().int(),
    details: AlertDetailsSchema,
  }),
  rule: z.object({ id: z.string(), name: z.string(), condition: AlertConditionSchema }),
  target: AlertTargetSchema,
  sentAt: z.string(),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;

/**
 * The rule form's fields, as the browser edits them (numbers as typed): one field per parameter
 * kind, so switching the kind keeps what was typed. `alertRuleFromForm` turns them into the input.
 */
export const AlertRuleFormSchema = z
  .object({
    name: z.string(),
    enabled: z.boolean(),
    kind: AlertKindSchema,
    /** memory-high, cpu-throttling: percent. */
    thresholdPercent: z.string(),
    /** memory-high, cpu-throttling: for minutes; restart-loop: window; oom: quiet period. */
    minutes: z.string(),
    /** restart-loop. */
    restarts: z.string(),
    /** host-offline. */
    seconds: z.string(),
    hostIds: z.array(z.string()),
    /** Label selectors, comma- or newline-separated. */
    labels: z.string(),
  })
  .superRefine((values, ctx) => {
    const parsed = AlertRuleInputSchema.safeParse(alertRuleFromForm(values));
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      const path = FORM_PATHS[String(issue.path.at(-1))] ?? String(issue.path[0] ?? 'name');
      ctx.addIssue({ code: 'custom', message: issue.message, path: [path] });
    }
  });
export type AlertRuleForm = z.infer<typeof AlertRuleFormSchema>;

const FORM_PATHS: Record<string, keyof AlertRuleForm> = {
  thresholdPercent: 'thresholdPercent',
  forMinutes: 'minutes',
  windowMinutes: 'minutes',
  clearAfterMinutes: 'minutes',
  restarts: 'restarts',
  forSeconds: 'seconds',
  labels: 'labels',
  name: 'name',
};

const numberOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

export function alertRuleFromForm(values: AlertRuleForm): AlertRuleInput {
  const minutes = numberOf(values.minutes);
  const condition: AlertConditionInput =
    values.kind === 'oom'
      ? { kind: 'oom', clearAfterMinutes: minutes }
      : values.kind === 'restart-loop'
        ? { kind: 'restart-loop', restarts: numberOf(values.restarts), windowMinutes: minutes }
        : values.kind === 'host-offline'
          ? { kind: 'host-offline', forSeconds: numberOf(values.seconds) }
          : values.kind === 'unhealthy'
            ? { kind: 'unhealthy' }
            : { kind: values.kind, thresholdPercent: numberOf(values.thresholdPercent), forMinutes: minutes };
  return {
    name: values.name,
    enabled: values.enabled,
    condition,
    hostIds: values.hostIds,
    labels: values.labels
      .split(/[,\n]/)
      .map((selector) => selector.trim())
      .filter(Boolean),
  };
}

/** The form's fields for a stored rule (or the defaults of a new one). */
export function alertRuleToForm(
  rule: Pick<AlertRule, 'name' | 'enabled' | 'condition' | 'hostIds' | 'labels'> | null,
): AlertRuleForm {
  const form: AlertRuleForm = {
    name: rule?.name ?? '',
    enabled: rule?.enabled ?? true,
    kind: rule?.condition.kind ?? 'oom',
    thresholdPercent: '90',
    minutes: '10',
    restarts: '5',
    seconds: '60',
    hostIds: rule?.hostIds ?? [],
    labels: rule?.labels.join(', ') ?? '',
  };
  const condition = rule?.condition;
  if (!condition) return form;
  if (condition.kind === 'oom') form.minutes = String(condition.clearAfterMinutes);
  if (condition.kind === 'restart-loop') {
    form.restarts = String(condition.restarts);
    form.minutes = String(condition.windowMinutes);
  }
  if (condition.kind === 'memory-high' || condition.kind === 'cpu-throttling') {
    form.thresholdPercent = String(condition.thresholdPercent);
    form.minutes = String(condition.forMinutes);
  }
  if (condition.kind === 'host-offline') form.seconds = String(condition.forSeconds);
  return form;
}

/** One line describing a rule's condition, for lists. */
export function describeCondition(condition: AlertCondition): string {
  switch (condition.kind) {
    case 'oom':
      return `OOM kill (clears after ${condition.clearAfterMinutes} min without another)`;
    case 'restart-loop':
      return `${condition.restarts} restarts in ${condition.windowMinutes} min`;
    case 'cpu-throttling':
      return `throttled in > ${condition.thresholdPercent} % of CPU periods for ${condition.forMinutes} min`;
    case 'memory-high':
      return `memory > ${condition.thresholdPercent} % of the limit for ${condition.forMinutes} min`;
    case 'unhealthy':
      return 'healthcheck unhealthy';
    case 'host-offline':
      return condition.forSeconds === 0 ? 'host offline' : `host offline for ${condition.forSeconds} s`;
  }
}
