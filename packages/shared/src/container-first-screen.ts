import { z } from 'zod';
import { FleetContainerSchema, FleetContainerUsageSchema } from './container-fleet.js';
import { ContainerFacetsSchema } from './container-window.js';

/** Rows of the containers list put in the page's HTML: more than a tall screen shows. */
export const FIRST_SCREEN_ROWS = 50;

export const FleetFirstScreenInput = z
  .object({
    /** Only this host's containers; every visible host when left out (as `containers.fleet.watch`). */
    hostId: z.string().min(1).max(64).optional(),
    limit: z.number().int().min(1).max(200).default(FIRST_SCREEN_ROWS),
  })
  .default({ limit: FIRST_SCREEN_ROWS });
export type FleetFirstScreenInput = z.infer<typeof FleetFirstScreenInput>;

/**
 * The containers list's first screen, read on the server for the page's HTML: the first rows in
 * the live list's own order (host, then name; before any sort or filter), their usage, and the counts the list
 * header shows. The browser's live subscription takes over from it.
 */
export const FleetFirstScreenSchema = z.object({
  rows: z.array(FleetContainerSchema),
  usage: z.record(z.string(), FleetContainerUsageSchema),
  /** Every row the live list will have (of the hosts that answered). */
  total: z.number().int().nonnegative(),
  /** Hosts with rows among them. */
  hosts: z.number().int().nonnegative(),
  /** Hosts whose list had not come when the page was rendered. */
  loadingHosts: z.number().int().nonnegative(),
  /** The server's clock when read (uptimes are rendered against it, on the server and at hydration). */
  at: z.number(),
  /** Each row's fingerprint: the browser's window subscription names them so they are not sent again. */
  fingerprints: z.record(z.string(), z.string()).default({}),
  /** The filter bar's choices over the whole list. */
  facets: ContainerFacetsSchema.optional(),
});
export type FleetFirstScreen = z.infer<typeof FleetFirstScreenSchema>;
