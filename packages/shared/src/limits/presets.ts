import { z } from 'zod';
import { LIMIT_FIELDS } from '../containers/limits.js';
import { ContainerRefSchema } from '../containers/names.js';
import { type ResourcesUpdate, ResourcesUpdateSchema } from '../containers/resources.js';
import { LabelSelectorSchema } from './label-selector.js';

export * from './label-selector.js';

/**
 * Limit presets: named sets of limits stored by the dashboard, applied to a selection of
 * containers or to every container matching a label selector across hosts (preview, a rollout with
 * a result per container, rollback), and drift: containers whose limits no longer match the preset
 * they were given.
 */

/** The fields a preset may set, in the order forms and tables show them (ResourcesUpdate's). */
export const PRESET_FIELDS = [
  ...LIMIT_FIELDS,
  'RestartPolicy',
] as const satisfies readonly (keyof ResourcesUpdate)[];
export const PresetFieldSchema = z.enum(PRESET_FIELDS);
export type PresetField = z.infer<typeof PresetFieldSchema>;

/** A preset's limits: a `docker update` body that sets at least one field. */
export const PresetLimitsSchema = ResourcesUpdateSchema.refine(
  (limits) => PRESET_FIELDS.some((field) => limits[field] !== undefined),
  { message: 'a preset sets at least one limit' },
);
export type PresetLimits = z.infer<typeof PresetLimitsSchema>;

export const PresetNameSchema = z
  .string()
  .trim()
  .min(1, { message: 'a preset needs a name' })
  .max(64, { message: 'a preset name has at most 64 characters' })
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.:-]*$/u, {
    message: 'a preset name starts with a letter or digit, then letters, digits, spaces and _ . : -',
  });

const IdSchema = z.string().min(1).max(64);
const HostIdSchema = z.string().min(1).max(64);

export const PresetSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  limits: ResourcesUpdateSchema,
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  /** Containers this preset was last applied to (drift is measured against them). */
  assigned: z.number().int().nonnegative(),
});
export type Preset = z.infer<typeof PresetSchema>;

export const CreatePresetInput = z.object({
  name: PresetNameSchema,
  description: z.string().trim().max(500).default(''),
  limits: PresetLimitsSchema,
});
export type CreatePresetInput = z.input<typeof CreatePresetInput>;

export const UpdatePresetInput = z.object({
  presetId: IdSchema,
  name: PresetNameSchema.optional(),
  description: z.string().trim().max(500).optional(),
  limits: PresetLimitsSchema.optional(),
});
export type UpdatePresetInput = z.input<typeof UpdatePresetInput>;

export const PresetIdInput = z.object({ presetId: IdSchema });

/** The most containers one rollout acts on. */
export const MAX_PRESET_TARGETS = 2000;

/** Containers picked one by one, or every container whose labels match (on some hosts, or all). */
export const PresetTargetSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('selection'),
    containers: z
      .array(z.object({ hostId: HostIdSchema, container: ContainerRefSchema }))
      .min(1, { message: 'pick at least one container' })
      .max(MAX_PRESET_TARGETS),
  }),
  z.object({
    kind: z.literal('labels'),
    selector: LabelSelectorSchema,
    /** Only these hosts; every registered host when left out. */
    hostIds: z.array(HostIdSchema).max(500).optional(),
  }),
]);
export type PresetTarget = z.infer<typeof PresetTargetSchema>;

/** A limit's value as HostConfig holds it; a restart policy as `name[:retries]`; null = unlimited. */
export const LimitValueSchema = z.union([z.number(), z.string()]).nullable();
export type LimitValue = z.infer<typeof LimitValueSchema>;

export const LimitChangeSchema = z.object({
  field: PresetFieldSchema,
  from: LimitValueSchema,
  to: LimitValueSchema,
});
export type LimitChange = z.infer<typeof LimitChangeSchema>;

/**
 * What a rollout applies: the preset's own values, or each container's recommended limits (from its
 * own usage history, as the limits panel proposes them) for the chosen fields, with an optional
 * headroom instead of the default ones.
 */
export const PresetPolicySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('preset') }),
  z.object({
    kind: z.literal('recommended'),
    fields: z
      .array(z.enum(['memory', 'cpu']))
      .min(1)
      .max(2)
      .default(['memory', 'cpu']),
    /** Above the usage percentiles, as a share (0.2 = +20 %); the recommendation's defaults when absent. */
    headroom: z.number().min(0).max(2).optional(),
    range: z.enum(['1h', '24h', '7d']).default('24h'),
  }),
]);
export type PresetPolicy = z.output<typeof PresetPolicySchema>;
export type PresetPolicyInput = z.input<typeof PresetPolicySchema>;

export const PreviewInput = z.object({
  presetId: IdSchema,
  target: PresetTargetSchema,
  policy: PresetPolicySchema.default({ kind: 'preset' }),
});
export type PreviewInput = z.input<typeof PreviewInput>;

export const PreviewRowSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  containerId: z.string(),
  containerName: z.string(),
  state: z.string(),
  /** Only the fields whose value changes; empty when the container already has the preset's values. */
  changes: z.array(LimitChangeSchema),
  /** Why this container cannot be previewed (gone, host unreachable); null when it can. */
  error: z.string().nullable(),
  /** Recommended limits only: why this container is left out (too little usage history); null when it is not. */
  skipped: z.string().nullable().optional(),
});
export type PreviewRow = z.infer<typeof PreviewRowSchema>;

export const HostReachSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  /** Why the host's containers could not be listed; null when they were. */
  error: z.string().nullable(),
});

export const PreviewSchema = z.object({
  presetId: z.string(),
  rows: z.array(PreviewRowSchema),
  hosts: z.array(HostReachSchema),
});
export type Preview = z.infer<typeof PreviewSchema>;

export const RolloutInput = z.object({
  presetId: IdSchema,
  target: PresetTargetSchema,
  /** Stop before the next container once one fails (containers not reached are reported as skipped). */
  stopOnFailure: z.boolean().default(false),
  policy: PresetPolicySchema.default({ kind: 'preset' }),
});
export type RolloutInput = z.input<typeof RolloutInput>;

export const RolloutIdInput = z.object({ rolloutId: IdSchema });

export const RolloutResultSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  containerId: z.string(),
  containerName: z.string(),
  status: z.enum(['pending', 'ok', 'error', 'skipped']),
  /** The engine's message when it failed. */
  error: z.string().nullable(),
  warnings: z.array(z.string()),
  /** The container's limits before the change (what a rollback re-applies); null when not read. */
  before: ResourcesUpdateSchema.nullable(),
  /** Its limits read back after the change; null when not applied. */
  after: ResourcesUpdateSchema.nullable(),
});
export type RolloutResult = z.infer<typeof RolloutResultSchema>;

export const RolloutStatusSchema = z.enum(['running', 'done', 'stopped', 'interrupted']);

export const RolloutSchema = z.object({
  id: z.string(),
  presetId: z.string(),
  presetName: z.string(),
  kind: z.enum(['apply', 'rollback']),
  /** For a rollback: the rollout it undid. */
  rollbackOf: z.string().nullable(),
  stopOnFailure: z.boolean(),
  /** running; done (every container reached); stopped (at a failure); interrupted (the server restarted). */
  status: RolloutStatusSchema,
  startedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: z.object({
    total: z.number().int(),
    ok: z.number().int(),
    error: z.number().int(),
    skipped: z.number().int(),
    pending: z.number().int(),
  }),
  results: z.array(RolloutResultSchema),
});
export type Rollout = z.infer<typeof RolloutSchema>;

export const ListRolloutsInput = z.object({
  presetId: IdSchema,
  limit: z.number().int().min(1).max(50).default(10),
});

export const DriftInput = z.object({ presetId: IdSchema.optional() }).default({});
export type DriftInput = z.input<typeof DriftInput>;

export const DriftRowSchema = z.object({
  presetId: z.string(),
  presetName: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  containerId: z.string(),
  containerName: z.string(),
  /** drifted: its limits differ; missing: the container is gone; unreachable: its host did not answer. */
  status: z.enum(['drifted', 'missing', 'unreachable']),
  /**
   * expected = the preset's value as applied, actual = what the container holds now: the kernel's
   * reading (its cgroup file) for a running container, its configuration otherwise.
   */
  differences: z.array(
    z.object({
      field: PresetFieldSchema,
      expected: LimitValueSchema,
      actual: LimitValueSchema,
      /** Where `actual` was read: the cgroup file (written behind the engine's back shows here) or the configuration. */
      source: z.enum(['kernel', 'configuration']).optional(),
    }),
  ),
  error: z.string().nullable(),
  appliedAt: z.string(),
  appliedBy: z.string(),
});
export type DriftRow = z.infer<typeof DriftRowSchema>;

export const DriftReportSchema = z.object({
  rows: z.array(DriftRowSchema),
  /** Assignments checked (containers given a preset). */
  checked: z.number().int(),
  checkedAt: z.string(),
});
export type DriftReport = z.infer<typeof DriftReportSchema>;
