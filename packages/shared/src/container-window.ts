import { z } from 'zod';
import { FleetContainerSchema, FleetUsageDeltaSchema } from './container-fleet.js';

/**
 * The containers list as a window: the browser says its filters, sort and the rows it shows (plus
 * overscan); the server keeps the fleet's rows, filters and sorts them, and sends only the window's
 * rows and their usage, as deltas against what it sent to that browser.
 */

/** The filter bar's choices; '' for "any". */
export const ContainerFiltersSchema = z.object({
  /** Matches name, image, host, id prefix and labels. */
  text: z.string().max(200).default(''),
  hostId: z.string().max(64).default(''),
  state: z.string().max(32).default(''),
  image: z.string().max(512).default(''),
  /** `key` or `key=value`. */
  label: z.string().max(512).default(''),
  /** healthy / unhealthy / starting, `none` for no healthcheck (`ps --filter health=`). */
  health: z.string().max(16).default(''),
});
export type ContainerFilters = z.infer<typeof ContainerFiltersSchema>;

export const NO_CONTAINER_FILTERS: ContainerFilters = {
  text: '',
  hostId: '',
  state: '',
  image: '',
  label: '',
  health: '',
};

export const CONTAINER_SORT_COLUMNS = [
  'host',
  'name',
  'image',
  'state',
  'uptime',
  'ports',
  'cpu',
  'memory',
  'network',
] as const;
export const ContainerSortSchema = z.object({ id: z.enum(CONTAINER_SORT_COLUMNS), desc: z.boolean() });
export type ContainerSort = z.infer<typeof ContainerSortSchema>;

/** The most rows one window holds (a tall screen's rows plus overscan, with room to spare). */
export const MAX_WINDOW_ROWS = 400;

export const ContainerWindowViewSchema = z
  .object({
    filters: ContainerFiltersSchema.default(NO_CONTAINER_FILTERS),
    /** null: the list's own order (host, then name). */
    sort: ContainerSortSchema.nullable().default(null),
    /** The first row index shown (with overscan) and one past the last. */
    start: z.number().int().nonnegative().max(10_000_000),
    end: z.number().int().nonnegative().max(10_000_000),
    /** Grows with each change of view; updates say which view they reflect. */
    seq: z.number().int().nonnegative().default(0),
  })
  .refine((view) => view.end >= view.start && view.end - view.start <= MAX_WINDOW_ROWS, {
    message: `a window spans 0 to ${MAX_WINDOW_ROWS} rows`,
    path: ['end'],
  });
export type ContainerWindowView = z.infer<typeof ContainerWindowViewSchema>;

/** Chosen by the browser (random), to move its own window later. */
export const ContainerWindowIdSchema = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

export const ContainerWindowWatchInput = z.object({
  windowId: ContainerWindowIdSchema,
  /** Only this host's containers (the host page); every host when left out. */
  hostId: z.string().min(1).max(64).optional(),
  view: ContainerWindowViewSchema,
  /**
   * Rows the browser already has from the server-rendered first screen, by key: their fingerprints
   * as that screen gave them. Rows that have not changed since are not sent again.
   */
  known: z.record(z.string().max(200), z.string().max(64)).default({}),
});
export type ContainerWindowWatchInput = z.infer<typeof ContainerWindowWatchInput>;

export const ContainerWindowMoveInput = z.object({
  windowId: ContainerWindowIdSchema,
  view: ContainerWindowViewSchema,
});
export type ContainerWindowMoveInput = z.infer<typeof ContainerWindowMoveInput>;

/** What the filter bar offers: every host, image and (up to 500) label of the list. */
export const ContainerFacetsSchema = z.object({
  hosts: z.array(z.tuple([z.string(), z.string()])),
  images: z.array(z.string()),
  labels: z.array(z.string()),
});
export type ContainerFacets = z.infer<typeof ContainerFacetsSchema>;

export const ContainerWindowUpdateSchema = z.object({
  /** The view this update reflects. */
  seq: z.number().int().nonnegative(),
  /** Rows of the list (of the hosts that answered), and how many match the filters. */
  total: z.number().int().nonnegative(),
  matching: z.number().int().nonnegative(),
  /** Hosts with rows in the list. */
  hosts: z.number().int().nonnegative(),
  /** Hosts whose first list has not come yet. */
  loadingHosts: z.number().int().nonnegative(),
  /** Index of the window's first row. */
  start: z.number().int().nonnegative(),
  /** The window's row keys in order, when they changed: the browser drops rows not among them. */
  keys: z.array(z.string()).optional(),
  /** Rows of the window the browser does not have as they are now. */
  rows: z.array(FleetContainerSchema),
  /** The window's usage: full for rows new to it, changed fields otherwise, null when gone. */
  usage: FleetUsageDeltaSchema,
  /** The filter bar's choices, when they changed. */
  facets: ContainerFacetsSchema.optional(),
});
export type ContainerWindowUpdate = z.infer<typeof ContainerWindowUpdateSchema>;

export const ContainerMatchingInput = z.object({
  hostId: z.string().min(1).max(64).optional(),
  filters: ContainerFiltersSchema.default(NO_CONTAINER_FILTERS),
});
export type ContainerMatchingInput = z.infer<typeof ContainerMatchingInput>;

/** "Select all matching": every row the filters match that the caller may act on. */
export const ContainerMatchingSchema = z.object({ rows: z.array(FleetContainerSchema) });
export type ContainerMatching = z.infer<typeof ContainerMatchingSchema>;
