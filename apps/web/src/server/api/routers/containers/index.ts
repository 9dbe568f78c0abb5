import { HostContainerActionInput, HostIdInput } from '@stevedore/shared';
import { hostOperatorProcedure, roleProcedure, router } from '../../trpc';
import { containerConsoleRouter } from './console';
import { containerDetailsRouter } from './details';
import { containerFleetRouter } from './fleet';
import { containerFormRouter } from './form';
import { containerLimitsRouter } from './limits';
import { containerLogsRouter } from './logs';
import { containerUsageRouter } from './usage';

export const containersRouter = router({
  list: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.containers.list(input.hostId)),
  act: hostOperatorProcedure
    .input(HostContainerActionInput)
    .mutation(({ ctx, input }) => ctx.services.containers.act(ctx.user, input)),
  fleet: containerFleetRouter,
  details: containerDetailsRouter,
  usage: containerUsageRouter,
  logs: containerLogsRouter,
  console: containerConsoleRouter,
  form: containerFormRouter,
  limits: containerLimitsRouter,
});
