import {
  HostIdInput,
  LogCursorSchema,
  LogMatchCountInputSchema,
  LogPageInputSchema,
  LogSearchInputSchema,
  LogViewFilterSchema,
} from '@stevedore/shared';
import { z } from 'zod';
import { roleProcedure, router } from '../../trpc';

/** Log pages, following and server-side search for the Logs tab: reads, for every role. */
export const containerLogsRouter = router({
  page: roleProcedure('viewer')
    .input(LogPageInputSchema.extend(HostIdInput.shape))
    .query(({ ctx, input: { hostId, ...input } }) => ctx.services.containerLogs.page(hostId, input)),
  search: roleProcedure('viewer')
    .input(LogSearchInputSchema.extend(HostIdInput.shape))
    .query(({ ctx, input: { hostId, ...input } }) => ctx.services.containerLogs.search(hostId, input)),
  count: roleProcedure('viewer')
    .input(LogMatchCountInputSchema.extend(HostIdInput.shape))
    .query(({ ctx, input: { hostId, ...input } }) => ctx.services.containerLogs.count(hostId, input)),
  follow: roleProcedure('viewer')
    .input(
      LogViewFilterSchema.extend(HostIdInput.shape).extend({
        container: LogPageInputSchema.shape.container,
        from: z.union([z.literal('end'), LogCursorSchema]),
      }),
    )
    .subscription(({ ctx, input: { hostId, ...input }, signal }) =>
      ctx.services.containerLogs.follow(hostId, input, signal ?? new AbortController().signal),
    ),
});
