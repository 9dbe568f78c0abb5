import {
  HostVolumeCreateInputSchema,
  HostVolumePruneInputSchema,
  HostVolumeRefSchema,
  HostVolumeRemoveInputSchema,
  HostVolumesInputSchema,
} from '@stevedore/shared';
import { hostOperatorProcedure, roleProcedure, router } from '../trpc';

/** A host's volumes: viewers read, operators granted the host change them (audited in the service). */
export const volumesRouter = router({
  list: roleProcedure('viewer')
    .input(HostVolumesInputSchema)
    .query(({ ctx, input }) => ctx.services.volumes.list(input.hostId)),
  sizes: roleProcedure('viewer')
    .input(HostVolumesInputSchema)
    .query(({ ctx, input }) => ctx.services.volumes.sizes(input.hostId)),
  inspect: roleProcedure('viewer')
    .input(HostVolumeRefSchema)
    .query(({ ctx, input }) => ctx.services.volumes.inspect(input)),
  prunePreview: roleProcedure('viewer')
    .input(HostVolumesInputSchema)
    .query(({ ctx, input }) => ctx.services.volumes.prunePreview(input.hostId)),
  create: hostOperatorProcedure
    .input(HostVolumeCreateInputSchema)
    .mutation(({ ctx, input }) => ctx.services.volumes.create(ctx.user, input)),
  remove: hostOperatorProcedure
    .input(HostVolumeRemoveInputSchema)
    .mutation(({ ctx, input }) => ctx.services.volumes.remove(ctx.user, input)),
  prune: hostOperatorProcedure
    .input(HostVolumePruneInputSchema)
    .mutation(({ ctx, input }) => ctx.services.volumes.prune(ctx.user, input)),
});
