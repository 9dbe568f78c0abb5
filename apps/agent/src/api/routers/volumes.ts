import {
  PruneReportSchema,
  VolumeCreateSchema,
  VolumeListInputSchema,
  VolumeNameSchema,
  VolumeSchema,
} from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

export const volumesRouter = router({
  prune: publicProcedure
    .input(z.object({ all: z.boolean().default(false) }))
    .output(PruneReportSchema)
    .mutation(({ ctx, input }) => ctx.services.volumes.prune(input.all)),
  list: publicProcedure
    .input(VolumeListInputSchema)
    .output(z.array(VolumeSchema))
    .query(({ ctx, input }) => ctx.services.volumes.list(input.filters)),
  create: publicProcedure
    .input(VolumeCreateSchema)
    .output(VolumeSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.volumes.create(input.Name ?? null, input.Labels, input.Driver, input.DriverOpts),
    ),
  inspect: publicProcedure
    .input(z.object({ name: VolumeNameSchema }))
    .output(VolumeSchema)
    .query(({ ctx, input }) => ctx.services.volumes.inspect(input.name)),
  remove: publicProcedure
    .input(z.object({ name: VolumeNameSchema, force: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ctx.services.volumes.remove(input.name, input.force)),
});
