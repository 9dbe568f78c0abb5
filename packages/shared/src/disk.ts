import { z } from 'zod';
import { MIGRATION_PHASES, MigrationStateSchema } from './system.js';

const absoluteTarget = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => path.startsWith('/') && !path.split('/').includes('..'), {
    message: 'the target must be an absolute path without ".."',
  });

/** How a data-root migration ended, as the agent recorded it in the root in use. */
export const MigrationOutcomeSchema = z.object({
  outcome: z.enum(['finished', 'rolled back', 'cancelled', 'failed']),
  source: z.string(),
  target: z.string(),
  /** RFC 3339. */
  at: z.string(),
  message: z.string(),
  /** What the agent knew of the run when it ended (absent in records of older agents). */
  startedAt: z.string().optional(),
  startedBy: z.string().nullable().optional(),
  stopContainers: z.boolean().optional(),
  /** Empty when the run was settled from its journal after a crash, which keeps no progress. */
  phasesSeen: z.array(z.enum(MIGRATION_PHASES)).optional(),
  bytes: z.number().nullable().optional(),
  totalBytes: z.number().nullable().optional(),
  files: z.number().nullable().optional(),
});
export type MigrationOutcome = z.infer<typeof MigrationOutcomeSchema>;

/** `system.dataRoot`: where the agent keeps its data, the filesystem under it and its space. */
export const DataRootInfoSchema = z.object({
  path: z.string(),
  filesystem: z.object({
    /** As /proc/self/mountinfo names it: ext4, xfs, overlay, tmpfs… */
    type: z.string(),
    device: z.string(),
    mountPoint: z.string(),
    options: z.string(),
  }),
  totalBytes: z.number().int().nonnegative(),
  usedBytes: z.number().int().nonnegative(),
  /** What unprivileged writers may still use (statfs bavail). */
  freeBytes: z.number().int().nonnegative(),
  /** False when a --data-root flag pins it: a migration would be refused. */
  migratable: z.boolean(),
  migration: z.object({
    running: z.boolean(),
    last: MigrationOutcomeSchema.nullable(),
  }),
});
export type DataRootInfo = z.infer<typeof DataRootInfoSchema>;

/** `system.migration`: the migration under way (null when none) and how the last one ended. */
export const MigrationStatusSchema = z.object({
  running: MigrationStateSchema.nullable(),
  last: MigrationOutcomeSchema.nullable(),
});
export type MigrationStatus = z.infer<typeof MigrationStatusSchema>;

export const CheckDataRootInputSchema = z.object({ target: absoluteTarget });
export type CheckDataRootInput = z.infer<typeof CheckDataRootInputSchema>;

export const DATA_ROOT_CHECKS = ['outside', 'empty', 'space', 'overlay'] as const;

/** `system.checkDataRoot`: every check a migration makes before copying, without changing anything. */
export const DataRootCheckSchema = z.object({
  target: z.string(),
  ok: z.boolean(),
  /** Bytes the copy would write (the current root's size). */
  neededBytes: z.number().int().nonnegative(),
  freeBytes: z.number().int().nonnegative().nullable(),
  checks: z.array(z.object({ name: z.enum(DATA_ROOT_CHECKS), ok: z.boolean(), message: z.string() })),
  /** Running containers a migration has to stop (or be refused). */
  runningContainers: z.array(z.string()),
});
export type DataRootCheck = z.infer<typeof DataRootCheckSchema>;

// --- the dashboard's side ---

const hostId = z.string().min(1).max(64);

export const DiskHostInput = z.object({ hostId });

export const StartMigrationInput = z.object({
  hostId,
  target: absoluteTarget,
  stopContainers: z.boolean().default(false),
});
export type StartMigration = z.infer<typeof StartMigrationInput>;

export const CheckMigrationInput = z.object({ hostId, target: absoluteTarget });

/** A host's data-root migration as the dashboard shows it: read from the agent, which runs it. */
export const MigrationJobSchema = z.object({
  hostId: z.string(),
  target: z.string(),
  source: z.string(),
  stopContainers: z.boolean(),
  startedBy: z.string().nullable(),
  startedAt: z.string(),
  /**
   * running: the agent reports phases; reconnecting: the agent restarts on the new root (or was
   * lost, or is cancelling) and the dashboard waits for its answer; then how it ended ("rolled
   * back": the agent died mid-way and its next start undid the copy).
   */
  status: z.enum(['running', 'reconnecting', 'finished', 'cancelled', 'failed', 'rolled back']),
  phase: z.enum(MIGRATION_PHASES),
  phasesSeen: z.array(z.enum(MIGRATION_PHASES)),
  message: z.string(),
  bytes: z.number().nullable(),
  totalBytes: z.number().nullable(),
  files: z.number().nullable(),
  error: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type MigrationJob = z.infer<typeof MigrationJobSchema>;

/** Docker's size notation for `log-opts` max-size: a number with an optional k, m or g. */
export const LOG_MAX_SIZE = /^[1-9]\d*[kmg]?$/;

export const LogRotationSchema = z.object({
  /** null: no limit (the key is removed). */
  maxSize: z
    .string()
    .regex(LOG_MAX_SIZE, { message: 'max-size is a number with an optional unit k, m or g, e.g. 10m' })
    .nullable(),
  maxFile: z.number().int().min(1).max(100).nullable(),
});
export type LogRotation = z.infer<typeof LogRotationSchema>;

export const SetLogRotationInput = z
  .object({ hostId })
  .extend(LogRotationSchema.shape)
  .refine((v) => v.maxFile === null || v.maxSize !== null, {
    message: 'max-file needs max-size: files rotate only when they reach a size',
    path: ['maxFile'],
  });

export const PrunePolicySchema = z.object({
  hostId: z.string(),
  enabled: z.boolean(),
  /** Dangling (untagged) images created more than this many days ago; null: never. */
  danglingImagesDays: z.number().int().min(0).max(3650).nullable(),
  /** Containers stopped for more than this many days; null: never. */
  stoppedContainersDays: z.number().int().min(0).max(3650).nullable(),
  /** Volumes no container uses. Off unless asked: a volume is often the only copy of data. */
  unusedVolumes: z.boolean(),
  intervalHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  nextRunAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type PrunePolicy = z.infer<typeof PrunePolicySchema>;

export const SavePrunePolicyInput = PrunePolicySchema.pick({
  hostId: true,
  enabled: true,
  danglingImagesDays: true,
  stoppedContainersDays: true,
  unusedVolumes: true,
  intervalHours: true,
});
export type SavePrunePolicy = z.infer<typeof SavePrunePolicyInput>;

export const PruneItemSchema = z.object({
  kind: z.enum(['image', 'container', 'volume']),
  id: z.string(),
  name: z.string(),
  bytes: z.number().nonnegative(),
  /** Why it qualifies: "dangling, created 12 days ago". */
  reason: z.string(),
});
export type PruneItem = z.infer<typeof PruneItemSchema>;

export const PrunePreviewSchema = z.object({
  items: z.array(PruneItemSchema),
  bytes: z.number().nonnegative(),
});
export type PrunePreview = z.infer<typeof PrunePreviewSchema>;

export const PruneRunSchema = z.object({
  id: z.string(),
  hostId: z.string(),
  trigger: z.enum(['schedule', 'manual']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  removed: z.array(PruneItemSchema),
  bytesFreed: z.number().nonnegative(),
  errors: z.array(z.string()),
});
export type PruneRun = z.infer<typeof PruneRunSchema>;

export const PreviewPruneInput = SavePrunePolicyInput;

/**
 * daemon.json's `prune-policy` (a Stevedore key, changed live): what the agent's scheduler removes
 * and how often. The agent runs it whether or not a dashboard is open.
 */
export const PrunePolicyConfigSchema = z
  .object({
    enabled: z.boolean(),
    'dangling-images-days': z.number().int().min(0).max(3650).nullable(),
    'stopped-containers-days': z.number().int().min(0).max(3650).nullable(),
    'unused-volumes': z.boolean(),
    'interval-hours': z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
  })
  .strict();
export type PrunePolicyConfig = z.infer<typeof PrunePolicyConfigSchema>;

/** What a prune selects (the dry run's input on the agent). */
export const PruneRulesSchema = PrunePolicySchema.pick({
  danglingImagesDays: true,
  stoppedContainersDays: true,
  unusedVolumes: true,
});
export type PruneRules = z.infer<typeof PruneRulesSchema>;

/** A run as the agent records it (the dashboard adds the host). */
export const AgentPruneRunSchema = PruneRunSchema.omit({ hostId: true });
export type AgentPruneRun = z.infer<typeof AgentPruneRunSchema>;

/** `system.pruneSchedule`: when the agent's policy last ran and runs next (null: not enabled). */
export const PruneScheduleSchema = z.object({
  lastRunAt: z.string().nullable(),
  nextRunAt: z.string().nullable(),
  running: z.boolean(),
});
export type PruneSchedule = z.infer<typeof PruneScheduleSchema>;
export const ListPruneRunsInput = z.object({ hostId, limit: z.number().int().min(1).max(100).default(20) });
