import {
  CreatePresetInput,
  DriftInput,
  ListRolloutsInput,
  PresetIdInput,
  PreviewInput,
  RolloutIdInput,
  RolloutInput,
  UpdatePresetInput,
} from '@stevedore/shared';
import { roleProcedure, router } from '../trpc';

/**
 * Limit presets. Who may do what, as Portainer and Docker users expect it:
 * - everyone reads presets, previews and drift (viewers see containers and their limits anyway);
 * - admins define presets (create, edit, delete): a preset is fleet-wide policy, like Portainer's
 *   admin-managed templates and resource settings, and editing one changes what later rollouts do
 *   on hosts the editor may not operate;
 * - operators apply and roll back, each container only on a host granted to them (admins
 *   everywhere), exactly as they may `docker update` those containers one by one.
 */
export const presetsRouter = router({
  list: roleProcedure('viewer').query(({ ctx }) => ctx.services.presets.list()),
  get: roleProcedure('viewer')
    .input(PresetIdInput)
    .query(({ ctx, input }) => ctx.services.presets.get(input.presetId)),
  create: roleProcedure('admin')
    .input(CreatePresetInput)
    .mutation(({ ctx, input }) => ctx.services.presets.create(ctx.user, input)),
  update: roleProcedure('admin')
    .input(UpdatePresetInput)
    .mutation(({ ctx, input }) => ctx.services.presets.update(ctx.user, input)),
  delete: roleProcedure('admin')
    .input(PresetIdInput)
    .mutation(({ ctx, input }) => ctx.services.presets.remove(ctx.user, input.presetId)),
  preview: roleProcedure('viewer')
    .input(PreviewInput)
    .query(({ ctx, input }) => ctx.services.presets.preview(input)),
  rollout: roleProcedure('operator')
    .input(RolloutInput)
    .mutation(({ ctx, input }) => ctx.services.presetRollouts.start(ctx.user, input)),
  /** Progress while it runs (the page polls), the report when it has ended. */
  rolloutStatus: roleProcedure('viewer')
    .input(RolloutIdInput)
    .query(({ ctx, input }) => ctx.services.presetRollouts.get(input.rolloutId)),
  rollouts: roleProcedure('viewer')
    .input(ListRolloutsInput)
    .query(({ ctx, input }) => ctx.services.presetRollouts.list(input.presetId, input.limit)),
  rollback: roleProcedure('operator')
    .input(RolloutIdInput)
    .mutation(({ ctx, input }) => ctx.services.presetRollouts.rollback(ctx.user, input.rolloutId)),
  drift: roleProcedure('viewer')
    .input(DriftInput)
    .query(({ ctx, input }) => ctx.services.presets.drift(input)),
});
