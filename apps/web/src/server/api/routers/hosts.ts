import { z } from 'zod';
import { roleProcedure, router } from '../trpc';

const HostIdInput = z.object({ hostId: z.string().min(1).max(64) });

export const hostsRouter = router({
  list: roleProcedure('viewer').query(({ ctx }) => ctx.services.hosts.list()),
  get: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.hosts.get(input.hostId)),
  info: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.hosts.info(input.hostId)),
  watchStatus: roleProcedure('viewer').subscription(({ ctx, signal }) =>
    ctx.services.hosts.watchStatus(signal),
  ),
});
