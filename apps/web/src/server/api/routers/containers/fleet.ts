import {
  BulkContainerActionInput,
  ContainerMatchingInput,
  ContainerWindowMoveInput,
  ContainerWindowWatchInput,
  FleetContainersWatchInput,
  FleetFirstScreenInput,
} from '@stevedore/shared';
import { roleProcedure, router } from '../../trpc';

/** The fleet-wide containers list (live) and actions over a selection of it. */
export const containerFleetRouter = router({
  /** A snapshot of every container (of one host with `hostId`), then row changes and usage deltas. */
  watch: roleProcedure('viewer')
    .input(FleetContainersWatchInput)
    .subscription(({ ctx, input, signal }) => ctx.services.containerFleet.watch(input.hostId, signal)),
  /**
   * The list as the browser shows it: only its window's rows (filtered and sorted on the server)
   * and their usage, as deltas; `moveWindow` moves it.
   */
  window: roleProcedure('viewer')
    .input(ContainerWindowWatchInput)
    .subscription(({ ctx, input, signal }) =>
      ctx.services.containerWindows.watch(ctx.user.id, input, signal),
    ),
  /**
   * Scrolls, filters or sorts the caller's own window. Not audited: it changes nothing but what the
   * caller's subscription sends (a window of another user is left alone).
   */
  moveWindow: roleProcedure('viewer')
    .input(ContainerWindowMoveInput)
    .mutation(({ ctx, input }) => ctx.services.containerWindows.move(ctx.user.id, input)),
  /** "Select all matching": the rows the filters match that the caller may act on. */
  matching: roleProcedure('viewer')
    .input(ContainerMatchingInput)
    .query(async ({ ctx, input }) => {
      const operable = await ctx.services.containerBulk.operable(ctx.user);
      const hostIds = new Set(operable.hostIds);
      const rows = await ctx.services.containerWindows.matching(
        input,
        (hostId) => operable.all || hostIds.has(hostId),
      );
      return { rows };
    }),
  /** The list's first rows and counts, for a server-rendered page (the live `watch` goes on from them). */
  firstScreen: roleProcedure('viewer')
    .input(FleetFirstScreenInput)
    .query(({ ctx, input }) => ctx.services.containerWindows.firstScreen(input.hostId, input.limit)),
  /** The hosts the caller may act on (all of them for admins); the server checks again on each action. */
  operable: roleProcedure('viewer').query(({ ctx }) => ctx.services.containerBulk.operable(ctx.user)),
  /** One action over containers of several hosts; each is checked against the caller's grants. */
  bulk: roleProcedure('operator')
    .input(BulkContainerActionInput)
    .mutation(({ ctx, input }) => ctx.services.containerBulk.act(ctx.user, input)),
});
