import {
  AttachInputSchema,
  AttachResizeSchema,
  AttachWriteSchema,
  ContainerCreateSchema,
  ContainerInspectSchema,
  ContainerLimitsInputSchema,
  ContainerLimitsSchema,
  ContainerListInputSchema,
  ContainerNameSchema,
  ContainerRefSchema,
  type ContainerStats,
  ContainerSummarySchema,
  ExecInputSchema,
  ExecResizeSchema,
  ExecWriteSchema,
  ImageReferenceString,
  LogMatchCountInputSchema,
  LogMatchCountSchema,
  LogPageInputSchema,
  LogPageSchema,
  LogSearchInputSchema,
  LogSearchResultSchema,
  LogsInputSchema,
  PruneReportSchema,
  PublishedPortSchema,
  ResourcesUpdateSchema,
  SignalSchema,
  StatsInputSchema,
  TopResultSchema,
  UpdateResultSchema,
  WaitResultSchema,
} from '@stevedore/shared';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

const Ref = z.object({ container: ContainerRefSchema });
const StopInput = Ref.extend({
  /** Seconds before SIGKILL; absent: the container's StopTimeout or 10. */
  timeout: z.number().int().min(-1).optional(),
  signal: SignalSchema.optional(),
});

export const containersRouter = router({
  list: publicProcedure
    .input(ContainerListInputSchema)
    .output(z.array(ContainerSummarySchema))
    .query(({ ctx, input }) => ctx.services.containers.list(input.all, input.filters)),
  inspect: publicProcedure
    .input(Ref)
    .output(ContainerInspectSchema)
    .query(({ ctx, input }) => ctx.services.containers.inspect(input.container)),
  create: publicProcedure
    .input(ContainerCreateSchema)
    .output(z.object({ Id: z.string(), Warnings: z.array(z.string()) }))
    .mutation(({ ctx, input }) => ctx.services.containers.create(input)),
  start: publicProcedure.input(Ref).mutation(async ({ ctx, input }) => {
    await ctx.services.containers.start(input.container);
  }),
  stop: publicProcedure
    .input(StopInput)
    .mutation(({ ctx, input }) => ctx.services.containers.stop(input.container, input.timeout, input.signal)),
  restart: publicProcedure
    .input(StopInput)
    .mutation(({ ctx, input }) => ctx.services.containers.restart(input.container, input.timeout)),
  kill: publicProcedure
    .input(Ref.extend({ signal: SignalSchema.default('SIGKILL') }))
    .mutation(({ ctx, input }) => ctx.services.containers.kill(input.container, input.signal)),
  pause: publicProcedure
    .input(Ref)
    .mutation(({ ctx, input }) => ctx.services.containers.pause(input.container)),
  unpause: publicProcedure
    .input(Ref)
    .mutation(({ ctx, input }) => ctx.services.containers.unpause(input.container)),
  remove: publicProcedure
    .input(Ref.extend({ force: z.boolean().default(false), volumes: z.boolean().default(false) }))
    .mutation(({ ctx, input }) =>
      ctx.services.containers.remove(input.container, { force: input.force, volumes: input.volumes }),
    ),
  rename: publicProcedure
    .input(Ref.extend({ name: ContainerNameSchema }))
    .mutation(({ ctx, input }) => ctx.services.containers.rename(input.container, input.name)),
  /** New limits, applied live; answers with the limits read back from the cgroup right after. */
  update: publicProcedure
    .input(Ref.extend({ resources: ResourcesUpdateSchema }))
    .output(UpdateResultSchema)
    .mutation(({ ctx, input }) => ctx.services.containers.update(input.container, input.resources)),
  /** The limits as the kernel holds them (cgroup v1 or v2), the configuration and the host's capacity. */
  limits: publicProcedure
    .input(ContainerLimitsInputSchema)
    .output(ContainerLimitsSchema)
    .query(({ ctx, input }) => ctx.services.containers.limits(input.container)),
  /** Resolves when the condition holds: long-running over the websocket, like Docker's wait. */
  wait: publicProcedure
    .input(Ref.extend({ condition: z.enum(['not-running', 'next-exit', 'removed']).default('not-running') }))
    .output(WaitResultSchema)
    .mutation(({ ctx, input }) => ctx.services.containers.wait(input.container, input.condition)),
  /** Batches of lines (at most one 64 KiB read of the log each), paced by the connection. */
  logs: publicProcedure
    .input(LogsInputSchema)
    .subscription(({ ctx, input, signal }) =>
      ctx.services.containers.logs(input.container, input, signal ?? new AbortController().signal),
    ),
  /** A page of the whole log (all rotated files) from a cursor; forward with `waitMs` to follow. */
  logPage: publicProcedure
    .input(LogPageInputSchema)
    .output(LogPageSchema)
    .query(({ ctx, input, signal }) => ctx.services.containers.logView.page(input, signal)),
  /** The next or previous matching line from a cursor (text or regex, in a worker with a time limit). */
  logSearch: publicProcedure
    .input(LogSearchInputSchema)
    .output(LogSearchResultSchema)
    .query(({ ctx, input }) => ctx.services.containers.logView.search(input)),
  /** How many lines match, up to a cap. */
  logMatchCount: publicProcedure
    .input(LogMatchCountInputSchema)
    .output(LogMatchCountSchema)
    .query(({ ctx, input }) => ctx.services.containers.logView.count(input)),
  port: publicProcedure
    .input(Ref)
    .output(z.array(PublishedPortSchema))
    .query(({ ctx, input }) => ctx.services.containers.ports(input.container)),
  top: publicProcedure
    .input(Ref.extend({ psArgs: z.string().max(200).default('-ef') }))
    .output(TopResultSchema)
    .query(({ ctx, input }) => ctx.services.containers.top(input.container, input.psArgs)),
  /** Batches of stats from the shared 1 Hz sampler; one batch and done when `stream` is false. */
  stats: publicProcedure.input(StatsInputSchema).subscription(async function* ({ ctx, input, signal }) {
    const ids = ctx.services.containers.resolveIds(input.containers);
    for await (const batch of ctx.services.stats.subscribe(
      ids,
      input.stream,
      signal ?? new AbortController().signal,
    )) {
      // Built by the sampler from typed counters; parsing 100 objects a second would cost more than sampling them.
      yield batch satisfies ContainerStats[];
    }
  }),
  /** `docker exec`: output events until the process exits; stdin and resizes through the mutations below. */
  exec: publicProcedure
    .input(ExecInputSchema)
    .subscription(({ ctx, input, signal }) =>
      ctx.services.exec.run(input, signal ?? new AbortController().signal),
    ),
  execWrite: publicProcedure.input(ExecWriteSchema).mutation(({ ctx, input }) => {
    ctx.services.exec.write(input.execId, Buffer.from(input.data, 'base64'), input.eof);
  }),
  execResize: publicProcedure.input(ExecResizeSchema).mutation(({ ctx, input }) => {
    ctx.services.exec.resize(input.execId, input.rows, input.cols);
  }),
  /** `run -it`, `attach`: raw stdio through conmon; input and resizes through the mutations below. */
  attach: publicProcedure
    .input(AttachInputSchema)
    .subscription(({ ctx, input, signal }) =>
      ctx.services.containers.attachInteractive(
        input.container,
        { startIt: input.start, rows: input.rows, cols: input.cols },
        signal ?? new AbortController().signal,
      ),
    ),
  attachWrite: publicProcedure.input(AttachWriteSchema).mutation(({ ctx, input }) => {
    ctx.services.containers.attachWrite(input.attachId, Buffer.from(input.data, 'base64'), input.eof);
  }),
  attachResize: publicProcedure
    .input(AttachResizeSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.containers.attachResize(input.attachId, input.rows, input.cols),
    ),
  /** `docker commit`: the container's changes as a new image; returns its ID. */
  commit: publicProcedure
    .input(
      Ref.extend({
        tag: ImageReferenceString.nullable().default(null),
        author: z.string().max(500).default(''),
        comment: z.string().max(5000).default(''),
        changes: z.array(z.string().max(5000)).default([]),
        pause: z.boolean().default(true),
      }),
    )
    .output(z.object({ Id: z.string() }))
    .mutation(async ({ ctx, input }) => ({
      Id: await ctx.services.containers.files.commit(input.container, input),
    })),
  prune: publicProcedure.output(PruneReportSchema).mutation(({ ctx }) => ctx.services.containers.prune()),
  /**
   * `run` without -d, `start -a`: starts the container, streams what it writes from then on (not
   * the output of its earlier runs), ends with its exit status.
   */
  startAttached: publicProcedure
    .input(Ref)
    .subscription(({ ctx, input, signal }) =>
      ctx.services.containers.attach(
        input.container,
        { follow: true, tail: 0, since: null, until: null, startIt: true },
        signal ?? new AbortController().signal,
      ),
    ),
});
