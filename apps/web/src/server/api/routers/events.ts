import { FleetEventFilterSchema, ListFleetEventsInput } from '@stevedore/shared';
import { roleProcedure, router } from '../trpc';

export const eventsRouter = router({
  /** Stored history across the fleet, newest first. */
  list: roleProcedure('viewer')
    .input(ListFleetEventsInput)
    .query(({ ctx, input }) => ctx.services.events.list(input)),
  /** Live events across the fleet as the hub receives them. */
  watch: roleProcedure('viewer')
    .input(FleetEventFilterSchema)
    .subscription(({ ctx, input, signal }) => ctx.services.events.watch(input, signal)),
});
