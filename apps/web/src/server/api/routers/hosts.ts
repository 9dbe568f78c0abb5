import { CreateHostInput, HostIdInput } from '@stevedore/shared';
import { roleProcedure, router } from '../trpc';

export const hostsRouter = router({
  list: roleProcedure('viewer').query(({ ctx }) => ctx.services.hosts.list()),
  fleet: roleProcedure('viewer').query(({ ctx }) => ctx.services.hosts.fleet()),
  get: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.hosts.get(input.hostId)),
  info: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.hosts.info(input.hostId)),
  images: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.hosts.images(input.hostId)),
  watchStatus: roleProcedure('viewer').subscription(({ ctx, signal }) =>
    ctx.services.hosts.watchStatus(signal),
  ),
  test: roleProcedure('admin')
    .input(CreateHostInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.test(input)),
  create: roleProcedure('admin')
    .input(CreateHostInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.create(ctx.user, input)),
  remove: roleProcedure('admin')
    .input(HostIdInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.remove(ctx.user, input.hostId)),
});
