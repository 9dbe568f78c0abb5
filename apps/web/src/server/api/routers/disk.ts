import {
  CheckMigrationInput,
  DiskHostInput,
  ListPruneRunsInput,
  PreviewPruneInput,
  SavePrunePolicyInput,
  SetLogRotationInput,
  StartMigrationInput,
} from '@stevedore/shared';
import { roleProcedure, router } from '../trpc';

/**
 * A host's disk. Everyone reads (data-root, df, checks of a target, log rotation, prune policy,
 * its dry run and runs); admins configure the host — migrate its data-root, change log rotation,
 * set and run prune policies — as they alone configure hosts elsewhere.
 */
export const diskRouter = router({
  overview: roleProcedure('viewer')
    .input(DiskHostInput)
    .query(({ ctx, input }) => ctx.services.disk.overview(input.hostId)),
  checkTarget: roleProcedure('viewer')
    .input(CheckMigrationInput)
    .query(({ ctx, input }) => ctx.services.disk.check(input.hostId, input.target)),
  migration: roleProcedure('viewer')
    .input(DiskHostInput)
    .query(({ ctx, input }) => ctx.services.migrations.get(input.hostId)),
  startMigration: roleProcedure('admin')
    .input(StartMigrationInput)
    .mutation(({ ctx, input }) => ctx.services.migrations.start(ctx.user, input)),
  cancelMigration: roleProcedure('admin')
    .input(DiskHostInput)
    .mutation(({ ctx, input }) => ctx.services.migrations.cancel(ctx.user, input.hostId)),
  logRotation: roleProcedure('viewer')
    .input(DiskHostInput)
    .query(({ ctx, input }) => ctx.services.disk.logRotation(input.hostId)),
  setLogRotation: roleProcedure('admin')
    .input(SetLogRotationInput)
    .mutation(({ ctx, input: { hostId, ...rotation } }) =>
      ctx.services.disk.setLogRotation(ctx.user, hostId, rotation),
    ),
  prunePolicy: roleProcedure('viewer')
    .input(DiskHostInput)
    .query(({ ctx, input }) => ctx.services.prunePolicies.get(input.hostId)),
  savePrunePolicy: roleProcedure('admin')
    .input(SavePrunePolicyInput)
    .mutation(({ ctx, input }) => ctx.services.prunePolicies.save(ctx.user, input)),
  previewPrune: roleProcedure('viewer')
    .input(PreviewPruneInput)
    .query(({ ctx, input }) => ctx.services.prunePolicies.preview(input)),
  runPrune: roleProcedure('admin')
    .input(DiskHostInput)
    .mutation(({ ctx, input }) => ctx.services.prunePolicies.runNow(ctx.user, input.hostId)),
  pruneRuns: roleProcedure('viewer')
    .input(ListPruneRunsInput)
    .query(({ ctx, input }) => ctx.services.prunePolicies.runs(input.hostId, input.limit)),
});
