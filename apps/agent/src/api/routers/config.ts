import { DaemonConfigSchema } from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

const Settings = DaemonConfigSchema;

export const configRouter = router({
  get: publicProcedure
    .output(z.object({ path: z.string(), settings: Settings }))
    .query(({ ctx }) => ctx.services.config.get()),
  /** daemon.json keys to set (null removes one); validated like the file at start-up. */
  update: publicProcedure
    .input(z.object({ settings: z.record(z.string(), z.unknown()) }))
    .output(
      z.object({
        path: z.string(),
        settings: Settings,
        applied: z.array(z.string()),
        restartRequired: z.array(z.string()),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.config.update(input.settings)),
});
