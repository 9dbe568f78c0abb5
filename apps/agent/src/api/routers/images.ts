import {
  ImageHistoryEntrySchema,
  ImageInspectSchema,
  ImageListInputSchema,
  ImageReferenceString,
  ImageSummarySchema,
  PruneReportSchema,
  RegistryLoginInput,
  RegistryLogoutInput,
  RemoveImageResultSchema,
  SearchResultSchema,
} from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

const NameOrId = z.string().min(1).max(300);

const PruneInput = z.object({ all: z.boolean().default(false) });

export const imagesRouter = router({
  search: publicProcedure
    .input(
      z.object({ term: z.string().min(1).max(300), limit: z.number().int().min(1).max(100).default(25) }),
    )
    .output(z.array(SearchResultSchema))
    .query(({ ctx, input }) => ctx.services.images.search(input.term, input.limit)),
  history: publicProcedure
    .input(z.object({ image: NameOrId }))
    .output(z.array(ImageHistoryEntrySchema))
    .query(({ ctx, input }) => ctx.services.images.history(input.image)),
  prune: publicProcedure
    .input(PruneInput)
    .output(PruneReportSchema)
    .mutation(({ ctx, input }) => ctx.services.images.prune(input.all)),
  list: publicProcedure
    .input(ImageListInputSchema)
    .output(z.array(ImageSummarySchema))
    .query(({ ctx, input }) => ctx.services.images.list(input.filters)),
  pull: publicProcedure
    .input(z.object({ reference: ImageReferenceString }))
    .subscription(({ ctx, input, signal }) => ctx.services.images.pull(input.reference, signal)),
  push: publicProcedure
    .input(z.object({ reference: ImageReferenceString }))
    .subscription(({ ctx, input }) => ctx.services.images.push(input.reference)),
  inspect: publicProcedure
    .input(z.object({ image: NameOrId }))
    .output(ImageInspectSchema)
    .query(({ ctx, input }) => ctx.services.images.inspect(input.image)),
  tag: publicProcedure
    .input(z.object({ source: NameOrId, target: ImageReferenceString }))
    .mutation(({ ctx, input }) => ctx.services.images.tag(input.source, input.target)),
  login: publicProcedure
    .input(RegistryLoginInput)
    .mutation(({ ctx, input }) =>
      ctx.services.images.login(input.serverAddress, input.username, input.password),
    ),
  logout: publicProcedure
    .input(RegistryLogoutInput)
    .mutation(({ ctx, input }) => ctx.services.images.logout(input.serverAddress)),
  /** The registries logged in to, by name; credentials are never sent. */
  logins: publicProcedure.output(z.array(z.string())).query(({ ctx }) => ctx.services.images.logins()),
  remove: publicProcedure
    .input(z.object({ image: NameOrId, force: z.boolean().default(false) }))
    .output(RemoveImageResultSchema)
    .mutation(({ ctx, input }) => ctx.services.images.remove(input.image, input.force)),
});
