import { EventsInputSchema } from '@stevedore/shared';
import { publicProcedure, router } from '../trpc.js';

export const eventsRouter = router({
  stream: publicProcedure
    .input(EventsInputSchema)
    .subscription(({ ctx, input, signal }) =>
      ctx.services.events.stream(input, signal ?? new AbortController().signal),
    ),
});
