import { CreateUserInput, SetUserHostsInput, SetUserRoleInput, UserIdInput } from '@stevedore/shared';
import { roleProcedure, router } from '../trpc';

export const usersRouter = router({
  list: roleProcedure('admin').query(({ ctx }) => ctx.services.users.list()),
  create: roleProcedure('admin')
    .input(CreateUserInput)
    .mutation(({ ctx, input }) => ctx.services.users.create(ctx.user, input)),
  setRole: roleProcedure('admin')
    .input(SetUserRoleInput)
    .mutation(({ ctx, input }) => ctx.services.users.setRole(ctx.user, input)),
  /** The hosts an operator may operate. */
  setHosts: roleProcedure('admin')
    .input(SetUserHostsInput)
    .mutation(({ ctx, input }) => ctx.services.users.setHosts(ctx.user, input)),
  remove: roleProcedure('admin')
    .input(UserIdInput)
    .mutation(({ ctx, input }) => ctx.services.users.remove(ctx.user, input.userId)),
});
