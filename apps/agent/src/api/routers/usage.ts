import { type UsageHistory, UsageHistoryInputSchema } from '@stevedore/shared';
import { publicProcedure, router } from '../trpc.js';

export const usageRouter = router({
  /** A container's recorded usage over a range, columnar (running or stopped, while it exists). */
  history: publicProcedure
    .input(UsageHistoryInputSchema)
    // Built from typed records; parsing tens of thousands of numbers back would only cost time.
    .query(async ({ ctx, input }) => (await ctx.services.usage.history(input)) satisfies UsageHistory),
});
