import { ImageReferenceString, ImageSummarySchema } from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

export const imagesRouter = router({
  list: publicProcedure.output(z.array(ImageSummarySchema)).query(({ ctx }) => ctx.services.images.list()),
  pull: publicProcedure
    .input(z.object({ reference: ImageReferenceString }))
    .subscription(({ ctx, input }) => ctx.services.images.pull(input.reference)),
});
