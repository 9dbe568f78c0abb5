import {
  CheckDataRootInputSchema,
  DataRootCheckSchema,
  DataRootInfoSchema,
  DiskUsageDetailsSchema,
  DiskUsageRowSchema,
  HostUsageSchema,
  MigrateDataRootSchema,
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
  /** The data-root, its filesystem and space, and how the last migration ended. */
  dataRoot: publicProcedure.output(DataRootInfoSchema).query(({ ctx }) => ctx.services.dataRoot.info()),
  /** The checks a migration to `target` would make, without changing anything. */
  checkDataRoot: publicProcedure
    .input(CheckDataRootInputSchema)
    .output(DataRootCheckSchema)
    .query(({ ctx, input }) => ctx.services.dataRoot.check(input.target)),
  df: publicProcedure.output(z.array(DiskUsageRowSchema)).query(({ ctx }) => ctx.services.diskUsage.report()),
  dfDetails: publicProcedure
    .output(DiskUsageDetailsSchema)
    .query(({ ctx }) => ctx.services.diskUsage.details()),
});
