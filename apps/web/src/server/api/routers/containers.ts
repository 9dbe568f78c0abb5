import { HostContainerActionInput, HostIdInput } from '@stevedore/shared';
import { hostOperatorProcedure, roleProcedure, router } from '../trpc';

export const containersRouter = router({
  list: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.containers.list(input.hostId)),
  act: hostOperatorProcedure
    .input(HostContainerActionInput)
    .mutation(({ ctx, input }) => ctx.services.containers.act(ctx.user, input)),
});
