import { HostUsageHistoryInputSchema } from '@stevedore/shared';
import { roleProcedure, router } from '../../trpc';

/** Usage history of one container (1 s samples, 1 min buckets) for the charts. */
export const containerUsageRouter = router({
  history: roleProcedure('viewer')
    .input(HostUsageHistoryInputSchema)
    .query(({ ctx, input }) => ctx.services.containerUsage.history(input)),
});
