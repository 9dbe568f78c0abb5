import {
  AgentPruneRunSchema,
  CheckDataRootInputSchema,
  DataRootCheckSchema,
  DataRootInfoSchema,
  DiskUsageDetailsSchema,
  DiskUsageRowSchema,
  HostUsageSchema,
  MigrateDataRootSchema,
  MigrationStateSchema,
  MigrationStatusSchema,
  PrunePreviewSchema,
  PruneRulesSchema,
  PruneScheduleSchema,
  SystemInfoSchema,
  VersionSchema,
} from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

export const systemRouter = router({
  ping: publicProcedure.output(z.literal('OK')).query(() => 'OK' as const),
  info: publicProcedure.output(SystemInfoSchema).query(({ ctx }) => ctx.services.system.info()),
  usage: publicProcedure.output(HostUsageSchema).query(({ ctx }) => ctx.services.system.usage()),
  version: publicProcedure.output(VersionSchema).query(({ ctx }) => ctx.services.system.version()),
  migrateDataRoot: publicProcedure
    .input(MigrateDataRootSchema)
    .subscription(({ ctx, input, signal }) =>
      ctx.services.migration.migrate(input, signal ?? new AbortController().signal),
    ),
  /** Starts a migration that the agent runs to its end (or a cancel), whoever stays connected. */
  startMigration: publicProcedure
    .input(MigrateDataRootSchema)
    .output(MigrationStateSchema)
    .mutation(({ ctx, input }) => ctx.services.migration.start(input)),
  cancelMigration: publicProcedure
    .output(MigrationStateSchema)
    .mutation(({ ctx }) => ctx.services.migration.cancel()),
  /** The migration under way (if any) and how the last one ended. */
  migration: publicProcedure
    .output(MigrationStatusSchema)
    .query(({ ctx }) => ctx.services.migration.status()),
  /** The running migration's state at each change until it ends; nothing when none runs. */
  followMigration: publicProcedure.subscription(({ ctx, signal }) =>
    ctx.services.migration.follow(signal ?? new AbortController().signal),
  ),
  /** The data-root, its filesystem and space, and how the last migration ended. */
  dataRoot: publicProcedure.output(DataRootInfoSchema).query(({ ctx }) => ctx.services.dataRoot.info()),
  /** The checks a migration to `target` would make, without changing anything. */
  checkDataRoot: publicProcedure
    .input(CheckDataRootInputSchema)
    .output(DataRootCheckSchema)
    .query(({ ctx, input }) => ctx.services.dataRoot.check(input.target)),
  /** The dry run: what these rules would remove now, and what that frees. */
  prunePreview: publicProcedure
    .input(PruneRulesSchema)
    .output(PrunePreviewSchema)
    .query(({ ctx, input }) => ctx.services.prune.preview(input)),
  /** Runs daemon.json's `prune-policy` now and records the run. */
  pruneNow: publicProcedure.output(AgentPruneRunSchema).mutation(({ ctx }) => ctx.services.prune.runNow()),
  /** The record of the policy's runs, newest first. */
  pruneRuns: publicProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(20) }))
    .output(z.array(AgentPruneRunSchema))
    .query(({ ctx, input }) => ctx.services.prune.runs(input.limit)),
  pruneSchedule: publicProcedure
    .output(PruneScheduleSchema)
    .query(({ ctx }) => ctx.services.prune.schedule()),
  df: publicProcedure.output(z.array(DiskUsageRowSchema)).query(({ ctx }) => ctx.services.diskUsage.report()),
  dfDetails: publicProcedure
    .output(DiskUsageDetailsSchema)
    .query(({ ctx }) => ctx.services.diskUsage.details()),
});
