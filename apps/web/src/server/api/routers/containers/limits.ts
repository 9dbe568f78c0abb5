import { ApplyLimitsInputSchema, HostContainerRefInput, RecommendLimitsInputSchema } from '@stevedore/shared';
import { hostOperatorProcedure, roleProcedure, router } from '../../trpc';

/** One container's limits: as the kernel holds them, changed live (audited), and what they should be. */
export const containerLimitsRouter = router({
  /** Configured limits, the readings from the cgroup files and the host's capacity. */
  get: roleProcedure('viewer')
    .input(HostContainerRefInput)
    .query(({ ctx, input }) => ctx.services.containerLimits.get(input)),
  /** `update` live (`apply` is a word tRPC reserves); answers with the values read back from the kernel right after. */
  update: hostOperatorProcedure
    .input(ApplyLimitsInputSchema)
    .mutation(({ ctx, input }) => ctx.services.containerLimits.apply(ctx.user, input)),
  /** Proposed memory and CPU limits from the usage history, with reasons, warnings and the chart. */
  recommend: roleProcedure('viewer')
    .input(RecommendLimitsInputSchema)
    .query(({ ctx, input }) => ctx.services.containerLimits.recommend(input)),
});
