import { z } from 'zod';

/** One engine event, in the shape `docker events --format '{{json .}}'` prints. */
export const EngineEventSchema = z.object({
  Type: z.enum(['container', 'image', 'volume', 'network', 'daemon']),
  Action: z.string(),
  Actor: z.object({ ID: z.string(), Attributes: z.record(z.string(), z.string()) }),
  scope: z.literal('local'),
  /** Unix seconds. */
  time: z.number().int(),
  /** Unix nanoseconds, as a decimal string (beyond 2^53). */
  timeNano: z.string(),
});
export type EngineEvent = z.infer<typeof EngineEventSchema>;

export const EventsInputSchema = z.object({
  /** Unix seconds, RFC 3339 or a duration such as 10m (before now). */
  since: z.string().nullable().default(null),
  until: z.string().nullable().default(null),
  /** `type=container`, `event=start`, `container=NAME|ID`, `image=NAME`, `label=KEY[=VALUE]`. */
  filters: z
    .array(
      z.string().regex(/^(type|event|container|image|label)=.+$/, {
        message: 'filters are type=, event=, container=, image= or label=KEY[=VALUE]',
      }),
    )
    .default([]),
});
export type EventsInput = z.input<typeof EventsInputSchema>;
export type EventsQuery = z.output<typeof EventsInputSchema>;
