import {
  HostNetworkConnectInputSchema,
  HostNetworkCreateInputSchema,
  HostNetworkDisconnectInputSchema,
  HostNetworkPruneInputSchema,
  HostNetworkRefSchema,
  HostNetworksInputSchema,
} from '@stevedore/shared';
import { hostOperatorProcedure, roleProcedure, router } from '../trpc';

/** A host's networks: viewers read, operators granted the host change them (audited in the service). */
export const networksRouter = router({
  list: roleProcedure('viewer')
    .input(HostNetworksInputSchema)
    .query(({ ctx, input }) => ctx.services.networks.list(input.hostId)),
  inspect: roleProcedure('viewer')
    .input(HostNetworkRefSchema)
    .query(({ ctx, input }) => ctx.services.networks.inspect(input)),
  prunePreview: roleProcedure('viewer')
    .input(HostNetworksInputSchema)
    .query(({ ctx, input }) => ctx.services.networks.prunePreview(input.hostId)),
  create: hostOperatorProcedure
    .input(HostNetworkCreateInputSchema)
    .mutation(({ ctx, input }) => ctx.services.networks.create(ctx.user, input)),
  remove: hostOperatorProcedure
    .input(HostNetworkRefSchema)
    .mutation(({ ctx, input }) => ctx.services.networks.remove(ctx.user, input)),
  connect: hostOperatorProcedure
    .input(HostNetworkConnectInputSchema)
    .mutation(({ ctx, input }) => ctx.services.networks.connect(ctx.user, input)),
  disconnect: hostOperatorProcedure
    .input(HostNetworkDisconnectInputSchema)
    .mutation(({ ctx, input }) => ctx.services.networks.disconnect(ctx.user, input)),
  prune: hostOperatorProcedure
    .input(HostNetworkPruneInputSchema)
    .mutation(({ ctx, input }) => ctx.services.networks.prune(ctx.user, input)),
});
