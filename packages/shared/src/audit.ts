import { z } from 'zod';
import { UsernameSchema } from './auth.js';

/**
 * Who an audit entry is attributed to when the action was taken on the host itself (the CLI or the
 * engine, seen through its events) rather than through the dashboard. Not a valid username ("/" is
 * not allowed in one), so no dashboard user can be mistaken for it.
 */
export const ENGINE_ACTOR = 'engine/CLI';

export const AuditResultSchema = z.enum(['ok', 'error']);

export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  username: z.string(),
  /** `dashboard`: a user acted through this web app; `engine`: seen in the host's own events (CLI). */
  source: z.enum(['dashboard', 'engine']),
  action: z.string(),
  hostId: z.string().nullable(),
  /** The host's current name (null: no host, or the host was removed since). */
  hostName: z.string().nullable(),
  target: z.string().nullable(),
  /** A readable name for `target` when it is an id (a container's name); null when unknown. */
  targetName: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  result: AuditResultSchema,
  error: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Narrows the audit log; every field optional, all given ones must match. */
export const AuditFilterSchema = z.object({
  /** Exact username, or ENGINE_ACTOR for the actions taken on the hosts themselves. */
  username: z.union([z.literal(ENGINE_ACTOR), UsernameSchema]).optional(),
  hostId: z
    .string()
    .regex(/^[\w-]{1,64}$/, { message: 'must be a host id: letters, digits, "_" or "-"' })
    .optional(),
  /** An action (`container.stop`) or a prefix of one ending in "." (`container.`). */
  action: z
    .string()
    .trim()
    .regex(/^[a-z][a-zA-Z.-]{0,63}$/, {
      message:
        'must be an action such as container.stop, or a prefix of one ending in "." such as container.',
    })
    .optional(),
  result: AuditResultSchema.optional(),
  /** ISO timestamps, inclusive bounds. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export const ListAuditInput = AuditFilterSchema.extend({
  limit: z.number().int().min(1).max(200).default(50),
  /** The id of the last entry of the previous page. */
  cursor: z
    .string()
    .regex(/^[\w-]{1,64}$/, { message: 'must be an entry id from the previous page' })
    .optional(),
});
export type ListAuditInput = z.input<typeof ListAuditInput>;
