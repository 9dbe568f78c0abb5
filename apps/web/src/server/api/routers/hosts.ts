import {
  AcceptHostKeyInput,
  CreateHostInput,
  HostConnectionInput,
  HostIdInput,
  InstallAgentInput,
  InstallJobInput,
  UpdateHostInput,
} from '@stevedore/shared';
import { roleProcedure, router } from '../trpc';

export const hostsRouter = router({
  list: roleProcedure('viewer').query(({ ctx }) => ctx.services.hosts.list()),
  fleet: roleProcedure('viewer').query(({ ctx }) => ctx.services.fleet.snapshot()),
  /** The fleet overview, then every changed row, live. */
  watchFleet: roleProcedure('viewer').subscription(({ ctx, signal }) => ctx.services.fleet.watch(signal)),
  get: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.hosts.get(input.hostId)),
  /** What the caller may do on this host (the server checks again on every action). */
  access: roleProcedure('viewer')
    .input(HostIdInput)
    .query(async ({ ctx, input }) => ({
      canOperate: await ctx.services.users.canOperate(ctx.user, input.hostId),
    })),
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
    .input(HostConnectionInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.test(input)),
  create: roleProcedure('admin')
    .input(CreateHostInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.create(ctx.user, input)),
  update: roleProcedure('admin')
    .input(UpdateHostInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.update(ctx.user, input)),
  /** Which SSH host key the machine presents now, beside the pinned one. */
  checkHostKey: roleProcedure('admin')
    .input(HostIdInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.checkHostKey(input.hostId)),
  /** Pins the key the machine presents now (it changed); the admin names the fingerprint they checked. */
  acceptHostKey: roleProcedure('admin')
    .input(AcceptHostKeyInput)
    .mutation(({ ctx, input }) =>
      ctx.services.hosts.acceptHostKey(ctx.user, input.hostId, input.fingerprint),
    ),
  /** Starts installing or upgrading the agent over SSH; follow it with installProgress. */
  installAgent: roleProcedure('admin')
    .input(InstallAgentInput)
    .mutation(({ ctx, input }) => ctx.services.install.start(ctx.user, input)),
  installProgress: roleProcedure('admin')
    .input(InstallJobInput)
    .subscription(({ ctx, input, signal }) => ctx.services.install.progress(ctx.user, input.jobId, signal)),
  cancelInstall: roleProcedure('admin')
    .input(InstallJobInput)
    .mutation(({ ctx, input }) => ctx.services.install.cancel(ctx.user, input.jobId)),
  remove: roleProcedure('admin')
    .input(HostIdInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.hosts.remove(ctx.user, input.hostId);
      ctx.services.fleet.forget(input.hostId);
    }),
});
