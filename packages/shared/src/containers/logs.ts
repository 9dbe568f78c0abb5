import { z } from 'zod';
import { ContainerRefSchema } from './names.js';

/** One line of a container's log. */
export const LogLineSchema = z.object({
  stream: z.enum(['stdout', 'stderr']),
  /** RFC 3339 with nanoseconds, as conmon writes it. */
  time: z.string(),
  text: z.string(),
  /** The stream ended mid-line: print the text without a newline (`printf two` as the last output). */
  partial: z.boolean().optional(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

export const LogsInputSchema = z.object({
  container: ContainerRefSchema,
  follow: z.boolean().default(false),
  /** Number of lines from the end; null for all. */
  tail: z.number().int().nonnegative().nullable().default(null),
  /** RFC 3339 or Unix seconds, inclusive. */
  since: z.string().nullable().default(null),
  until: z.string().nullable().default(null),
});
