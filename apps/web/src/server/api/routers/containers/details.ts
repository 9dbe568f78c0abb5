import {
  HostContainerRefInput,
  HostContainerTopInput,
  KillContainerInput,
  RemoveContainerInput,
  RenameContainerInput,
} from '@stevedore/shared';
import { z } from 'zod';
import { hostOperatorProcedure, roleProcedure, router } from '../../trpc';

const ContainerEventsInput = HostContainerRefInput.extend({
  limit: z.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .regex(/^[\w-]{1,64}$/, { message: 'must be an event id from the previous page' })
    .optional(),
});

/** Procedures for one container's inspect, processes, events and actions. */
export const containerDetailsRouter = router({
  inspect: roleProcedure('viewer')
    .input(HostContainerRefInput)
    .query(({ ctx, input }) => ctx.services.containerDetails.inspect(input)),
  top: roleProcedure('viewer')
    .input(HostContainerTopInput)
    .query(({ ctx, input }) => ctx.services.containerDetails.top(input)),
  /** Stored engine events of this container, newest first (live ones: events.watch with actor = id). */
  events: roleProcedure('viewer')
    .input(ContainerEventsInput)
    .query(({ ctx, input }) => ctx.services.containerDetails.events(input)),
  kill: hostOperatorProcedure
    .input(KillContainerInput)
    .mutation(({ ctx, input }) => ctx.services.containerDetails.kill(ctx.user, input)),
  rename: hostOperatorProcedure
    .input(RenameContainerInput)
    .mutation(({ ctx, input }) => ctx.services.containerDetails.rename(ctx.user, input)),
  remove: hostOperatorProcedure
    .input(RemoveContainerInput)
    .mutation(({ ctx, input }) => ctx.services.containerDetails.remove(ctx.user, input)),
});
