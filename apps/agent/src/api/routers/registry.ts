import { RegistryEndpointCheckSchema, RegistryHostSchema } from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

export const registryRouter = router({
  /** Probes each mirror and the upstream of a registry (default docker.io). */
  check: publicProcedure
    .input(
      z.object({
        registry: RegistryHostSchema.default('docker.io'),
        mirrorsOnly: z.boolean().default(false),
      }),
    )
    .output(z.array(RegistryEndpointCheckSchema))
    .query(({ ctx, input }) => ctx.services.images.checkRegistry(input.registry, input.mirrorsOnly)),
});
