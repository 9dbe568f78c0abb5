import { z } from 'zod';
import { LogLineSchema } from './logs.js';
import { ContainerRefSchema } from './names.js';

/**
 * A position in a container's whole log that survives rotation: the file by its inode (a rotation
 * renames files, it never copies them) and the time of its first record (so an inode the system
 * reuses for a later file is not mistaken for it), plus a byte offset at a record boundary.
 */
export const LogCursorSchema = z.object({
  ino: z.number().int().nonnegative(),
  /** The file's first record time as written ('' for a file that was empty when the cursor was made). */
  head: z.string().max(64),
  offset: z.number().int().nonnegative(),
});
export type LogCursor = z.infer<typeof LogCursorSchema>;

/** Where a read starts: a cursor, or either end of the whole log. */
export const LogFromSchema = z.union([z.literal('start'), z.literal('end'), LogCursorSchema]);
export type LogFrom = z.infer<typeof LogFromSchema>;

/** A line with where it begins (`cursor`) and the position just after it (`next`). */
export const LogViewLineSchema = LogLineSchema.extend({
  cursor: LogCursorSchema,
  next: LogCursorSchema,
});
export type LogViewLine = z.infer<typeof LogViewLineSchema>;

export const LogStreamNameSchema = z.enum(['stdout', 'stderr']);

/** Which lines a view shows: streams, and a time range (RFC 3339, Unix seconds or a duration like 10m). */
export const LogViewFilterSchema = z.object({
  streams: z.array(LogStreamNameSchema).min(1).max(2).default(['stdout', 'stderr']),
  since: z.string().max(64).nullable().default(null),
  until: z.string().max(64).nullable().default(null),
});
export type LogViewFilter = z.infer<typeof LogViewFilterSchema>;

export const LOG_PAGE_MAX_LINES = 5000;
/** The longest a page request waits for new lines at the end of the log (following). */
export const LOG_PAGE_MAX_WAIT_MS = 20_000;

export const LogPageInputSchema = LogViewFilterSchema.extend({
  container: ContainerRefSchema,
  from: LogFromSchema.default('end'),
  /** forward: lines starting at `from`; backward: the lines that end at or before `from`. */
  direction: z.enum(['forward', 'backward']).default('backward'),
  limit: z.number().int().min(1).max(LOG_PAGE_MAX_LINES).default(500),
  /** forward only: with nothing new after `from`, wait up to this long for the container to write. */
  waitMs: z.number().int().min(0).max(LOG_PAGE_MAX_WAIT_MS).default(0),
});
export type LogPageInput = z.input<typeof LogPageInputSchema>;

export const LogPageSchema = z.object({
  /** Oldest first, in both directions. */
  lines: z.array(LogViewLineSchema),
  /** Before the first line read (or `from`): where the next backward page starts. */
  before: LogCursorSchema,
  /** After the last line read (or `from`): where the next forward page starts. */
  after: LogCursorSchema,
  /** Nothing older is left (backward) / nothing newer written yet (forward). */
  atStart: z.boolean(),
  atEnd: z.boolean(),
});
export type LogPage = z.infer<typeof LogPageSchema>;

export const LOG_SEARCH_MAX_LENGTH = 500;

export const LogSearchQuerySchema = z.object({
  text: z.string().min(1).max(LOG_SEARCH_MAX_LENGTH),
  regex: z.boolean().default(false),
  caseSensitive: z.boolean().default(false),
});
export type LogSearchQuery = z.infer<typeof LogSearchQuerySchema>;

export const LogSearchInputSchema = LogViewFilterSchema.extend({
  container: ContainerRefSchema,
  query: LogSearchQuerySchema,
  /** next: the first match starting at or after `from`; previous: the last one ending at or before it. */
  from: LogFromSchema,
  direction: z.enum(['next', 'previous']),
});
export type LogSearchInput = z.input<typeof LogSearchInputSchema>;

export const LogSearchResultSchema = z.object({
  match: LogViewLineSchema.nullable(),
  /**
   * Set when the call's time budget ran out before a match or the end: search on from here
   * (the viewer does, showing that it is still searching).
   */
  resumeFrom: LogCursorSchema.nullable(),
  scannedBytes: z.number().int().nonnegative(),
});
export type LogSearchResult = z.infer<typeof LogSearchResultSchema>;

export const LOG_COUNT_MAX = 100_000;

export const LogMatchCountInputSchema = LogViewFilterSchema.extend({
  container: ContainerRefSchema,
  query: LogSearchQuerySchema,
  cap: z.number().int().min(1).max(LOG_COUNT_MAX).default(10_000),
});
export type LogMatchCountInput = z.input<typeof LogMatchCountInputSchema>;

export const LogMatchCountSchema = z.object({
  /** Matching lines counted. */
  count: z.number().int().nonnegative(),
  /** False when the cap or the time budget stopped the count: there are at least `count`. */
  complete: z.boolean(),
});
export type LogMatchCount = z.infer<typeof LogMatchCountSchema>;
