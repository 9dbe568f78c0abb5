import { Readable } from 'node:stream';
import {
  ImageHistoryEntrySchema,
  ImageInspectSchema,
  ImageReferenceString,
  ImageSummarySchema,
  PruneReportSchema,
  RegistryLoginInput,
  RegistryLogoutInput,
  RemoveImageResultSchema,
  SearchResultSchema,
  StevedoreError,
} from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

const NameOrId = z.string().min(1).max(300);

const PruneInput = z.object({ all: z.boolean().default(false) });

export const imagesRouter = router({
  /** `docker import`: a filesystem tarball (base64, at most 48 MiB; gzip or zstd allowed). */
  import: publicProcedure
    .input(
      z.object({
        archive: z.string().max(64 * 1024 * 1024, { message: 'archives over 48 MiB are not supported yet' }),
        tag: ImageReferenceString.nullable().default(null),
        changes: z.array(z.string().max(5000)).default([]),
        message: z.string().max(5000).default(''),
      }),
    )
    .output(z.object({ Id: z.string() }))
    .mutation(async ({ ctx, input }) => ({
      Id: await ctx.services.images.importImage({
        ...input,
        archive: Readable.from([Buffer.from(input.archive, 'base64')]),
      }),
    })),
  /** `docker save`: the images as one archive (base64, at most 48 MiB). */
  save: publicProcedure
    .input(z.object({ images: z.array(NameOrId).min(1) }))
    .output(z.object({ archive: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const archive = await ctx.services.images.save(input.images);
      if (archive.length > 48 * 1024 * 1024) {
        throw new StevedoreError(
          'FAILED_PRECONDITION',
          `the archive would be ${archive.length} bytes; archives over 48 MiB are not supported yet`,
        );
      }
      return { archive: archive.toString('base64') };
    }),
  /** `docker load`: a `docker save` archive (base64, at most 48 MiB). */
  load: publicProcedure
    .input(
      z.object({
        archive: z.string().max(64 * 1024 * 1024, { message: 'archives over 48 MiB are not supported yet' }),
      }),
    )
    .output(z.array(z.object({ id: z.string(), tags: z.array(z.string()) })))
    .mutation(({ ctx, input }) => ctx.services.images.load(Buffer.from(input.archive, 'base64'))),
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
  list: publicProcedure.output(z.array(ImageSummarySchema)).query(({ ctx }) => ctx.services.images.list()),
  pull: publicProcedure
    .input(z.object({ reference: ImageReferenceString }))
    .subscription(({ ctx, input }) => ctx.services.images.pull(input.reference)),
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
  remove: publicProcedure
    .input(z.object({ image: NameOrId, force: z.boolean().default(false) }))
    .output(RemoveImageResultSchema)
    .mutation(({ ctx, input }) => ctx.services.images.remove(input.image, input.force)),
});
