import {
  NetworkConnectSchema,
  NetworkCreateSchema,
  NetworkDisconnectSchema,
  NetworkInspectSchema,
  NetworkListInputSchema,
} from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

export const networksRouter = router({
  list: publicProcedure
    .input(NetworkListInputSchema)
    .output(z.array(NetworkInspectSchema))
    .query(({ ctx, input }) => ctx.services.networks.list(input.filters)),
  inspect: publicProcedure
    .input(z.object({ network: z.string().min(1) }))
    .output(NetworkInspectSchema)
    .query(({ ctx, input }) => ctx.services.networks.inspect(input.network)),
  create: publicProcedure
    .input(NetworkCreateSchema)
    .output(z.object({ Id: z.string() }))
    .mutation(({ ctx, input }) => ctx.services.networks.createNetwork(input)),
  remove: publicProcedure
    .input(z.object({ network: z.string().min(1) }))
    .mutation(({ ctx, input }) => ctx.services.networks.removeNetwork(input.network)),
  prune: publicProcedure
    .output(z.object({ NetworksDeleted: z.array(z.string()) }))
    .mutation(async ({ ctx }) => ({ NetworksDeleted: await ctx.services.networks.prune() })),
  connect: publicProcedure.input(NetworkConnectSchema).mutation(({ ctx, input }) =>
    ctx.services.containers.connectNetwork(input.container, input.network, {
      Aliases: input.Aliases,
      IPAMConfig: { IPv4Address: input.IPv4Address },
    }),
  ),
  disconnect: publicProcedure
    .input(NetworkDisconnectSchema)
    .mutation(({ ctx, input }) => ctx.services.containers.disconnectNetwork(input.container, input.network)),
});
