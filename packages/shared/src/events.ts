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

/** An engine event as the control plane stores and shows it: from which host, and when. */
export const FleetEventSchema = z.object({
  id: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  /** ISO 8601, millisecond precision. */
  at: z.string(),
  timeNano: z.string(),
  type: EngineEventSchema.shape.Type,
  action: z.string(),
  actorId: z.string(),
  actorName: z.string().nullable(),
  attributes: z.record(z.string(), z.string()),
});
export type FleetEvent = z.infer<typeof FleetEventSchema>;

/** Filters of the fleet event feed; every one optional, all of them must match. */
export const FleetEventFilterSchema = z.object({
  hostId: z.string().min(1).max(64).optional(),
  type: EngineEventSchema.shape.Type.optional(),
  /** Exact action, e.g. `start`, `die`, `pull`. */
  action: z.string().trim().min(1).max(64).optional(),
  /** Part of the actor's name or ID. */
  actor: z.string().trim().min(1).max(128).optional(),
});
export type FleetEventFilter = z.infer<typeof FleetEventFilterSchema>;

export const ListFleetEventsInput = FleetEventFilterSchema.extend({
  limit: z.number().int().min(1).max(500).default(100),
  /** The id of the last event of the previous page (newest first). */
  cursor: z.string().max(64).optional(),
});
export type ListFleetEventsInput = z.input<typeof ListFleetEventsInput>;
