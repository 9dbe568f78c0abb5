import {
  HostIdInput,
  HostImageInput,
  HostRegistryLoginInput,
  HostRegistryLogoutInput,
  ImagePruneInput,
  ImagePullInput,
  ImagePushInput,
  ImageRemoveInput,
  ImageTagInput,
} from '@stevedore/shared';
import { hostOperatorProcedure, roleProcedure, router } from '../trpc';

/** Images per host: viewers read, operators act on the hosts granted to them. */
export const imagesRouter = router({
  /** Every host's images merged by ID, with the hosts that have each. */
  fleet: roleProcedure('viewer').query(({ ctx }) => ctx.services.images.fleet()),
  list: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.images.list(input.hostId)),
  history: roleProcedure('viewer')
    .input(HostImageInput)
    .query(({ ctx, input }) => ctx.services.images.history(input)),
  inspect: roleProcedure('viewer')
    .input(HostImageInput)
    .query(({ ctx, input }) => ctx.services.images.inspect(input)),
  /** The registries the host is logged in to: names only, never a credential. */
  logins: roleProcedure('viewer')
    .input(HostIdInput)
    .query(({ ctx, input }) => ctx.services.images.logins(input.hostId)),
  prunePreview: roleProcedure('viewer')
    .input(ImagePruneInput)
    .query(({ ctx, input }) => ctx.services.images.prunePreview(input)),
  /** Per-layer progress, then the image; leaving stops the pull on the host. */
  pull: hostOperatorProcedure
    .input(ImagePullInput)
    .subscription(({ ctx, input, signal }) => ctx.services.images.pull(ctx.user, input, signal)),
  /** Per-blob progress, then the pushed digest. */
  push: hostOperatorProcedure
    .input(ImagePushInput)
    .subscription(({ ctx, input, signal }) => ctx.services.images.push(ctx.user, input, signal)),
  remove: hostOperatorProcedure
    .input(ImageRemoveInput)
    .mutation(({ ctx, input }) => ctx.services.images.remove(ctx.user, input)),
  tag: hostOperatorProcedure
    .input(ImageTagInput)
    .mutation(({ ctx, input }) => ctx.services.images.tag(ctx.user, input)),
  prune: hostOperatorProcedure
    .input(ImagePruneInput)
    .mutation(({ ctx, input }) => ctx.services.images.prune(ctx.user, input)),
  login: hostOperatorProcedure
    .input(HostRegistryLoginInput)
    .mutation(({ ctx, input }) => ctx.services.images.login(ctx.user, input)),
  logout: hostOperatorProcedure
    .input(HostRegistryLogoutInput)
    .mutation(({ ctx, input }) => ctx.services.images.logout(ctx.user, input)),
});
