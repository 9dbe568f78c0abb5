import {
  MirrorHealthReportSchema,
  PullRecordSchema,
  RegistriesProbeInputSchema,
  RegistrySettingsInputSchema,
  RegistrySettingsListSchema,
  RegistrySettingsSchema,
} from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

export const registriesRouter = router({
  /** Every registry the host has settings for (Docker Hub always), as in effect now. */
  list: publicProcedure.output(RegistrySettingsListSchema).query(({ ctx }) => ctx.services.registries.list()),
  /** Replaces one registry's mirrors, insecure flag and CA; in effect at the next pull. */
  set: publicProcedure
    .input(RegistrySettingsInputSchema)
    .output(RegistrySettingsSchema)
    .mutation(({ ctx, input }) => ctx.services.registries.set(input)),
  /** The mirrors' probe history (GET /v2/ every 30 s), oldest probe first. */
  health: publicProcedure
    .output(MirrorHealthReportSchema)
    .query(({ ctx }) => ctx.services.registries.health()),
  /**
   * Probes every mirror now; with a registry, only its endpoints (GET /v2/: reachable, latency,
   * TLS, authentication), its own too with `upstream`. The mirrors' results join their history.
   */
  probe: publicProcedure
    .input(RegistriesProbeInputSchema)
    .output(MirrorHealthReportSchema)
    .mutation(({ ctx, input }) => ctx.services.registries.probe(input)),
  /** The last pulls, newest first, with the endpoint (mirror or registry) that served each. */
  recentPulls: publicProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(20) }).default({ limit: 20 }))
    .output(z.array(PullRecordSchema))
    .query(({ ctx, input }) => ctx.services.registries.recentPulls(input.limit)),
});
