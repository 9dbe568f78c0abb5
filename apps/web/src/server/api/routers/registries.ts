import {
  HostRecentPullsInput,
  HostRegistryInput,
  HostRegistryProbeInput,
  HostRegistrySetInput,
  RegistryPreviewInput,
  RegistryRolloutInput,
} from '@stevedore/shared';
import { hostOperatorProcedure, roleProcedure, router } from '../trpc';

/**
 * Registries and mirrors. Viewers read every host's settings, health and recent pulls; probing a
 * host's mirrors (or one registry's endpoints) now is an operator's action on a granted host; changing settings (one host or a
 * rollout) is host configuration, for admins.
 */
export const registriesRouter = router({
  list: roleProcedure('viewer')
    .input(HostRegistryInput)
    .query(({ ctx, input }) => ctx.services.registries.list(input.hostId)),
  health: roleProcedure('viewer')
    .input(HostRegistryInput)
    .query(({ ctx, input }) => ctx.services.registries.health(input.hostId)),
  recentPulls: roleProcedure('viewer')
    .input(HostRecentPullsInput)
    .query(({ ctx, input }) => ctx.services.registries.recentPulls(input.hostId, input.limit)),
  probe: hostOperatorProcedure
    .input(HostRegistryProbeInput)
    .mutation(({ ctx, input }) =>
      ctx.services.registries.probe(
        ctx.user,
        input.hostId,
        input.registry ? { registry: input.registry, upstream: input.upstream } : undefined,
      ),
    ),
  set: roleProcedure('admin')
    .input(HostRegistrySetInput)
    .mutation(({ ctx, input }) => ctx.services.registries.set(ctx.user, input.hostId, input.settings)),
  preview: roleProcedure('viewer')
    .input(RegistryPreviewInput)
    .query(({ ctx, input }) => ctx.services.registries.preview(input)),
  rollout: roleProcedure('admin')
    .input(RegistryRolloutInput)
    .mutation(({ ctx, input }) => ctx.services.registries.rollout(ctx.user, input)),
});
