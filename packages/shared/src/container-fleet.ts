import { z } from 'zod';
import { ContainerStatusSchema } from './containers/inspect.js';
import { ContainerRefSchema } from './containers/names.js';
import { ContainerActionSchema } from './host-operations.js';

/**
 * The fleet-wide containers list: every container of every host the user may see, kept by the
 * web server and pushed to browsers as deltas (a snapshot, then changed rows, removals and a
 * compact per-second usage delta).
 */

export const ContainerHealthSchema = z.enum(['starting', 'healthy', 'unhealthy']);
export type ContainerHealth = z.infer<typeof ContainerHealthSchema>;

/** A published port; `ip` is where the host listens ("0.0.0.0" / "::" = every address). */
export const FleetContainerPortSchema = z.object({
  ip: z.string(),
  publicPort: z.number().int().min(1).max(65535),
  privatePort: z.number().int().min(1).max(65535),
  type: z.string(),
});
export type FleetContainerPort = z.infer<typeof FleetContainerPortSchema>;

export const FleetContainerSchema = z.object({
  /** `hostId/containerId`: unique across the fleet. */
  key: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  /**
   * The host's name or address as the browser can reach it, for port links; null when the agent
   * is on the dashboard's own machine (a unix socket): the browser then uses the page's host.
   */
  hostAddress: z.string().nullable(),
  /** The full 64-hex container id. */
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: ContainerStatusSchema,
  health: ContainerHealthSchema.nullable(),
  /** Docker's wording ("Up 5 minutes", "Exited (0) 3 hours ago"). */
  status: z.string(),
  /** Unix seconds. */
  created: z.number().int(),
  /** RFC 3339 time of the last start; null when never started or unknown. */
  startedAt: z.string().nullable(),
  ports: z.array(FleetContainerPortSchema),
  labels: z.record(z.string(), z.string()),
  /**
   * The host is offline: the row is from its last list, kept until the host is back (shown
   * greyed, without actions). Absent while the host answers.
   */
  hostOffline: z.literal(true).optional(),
});
export type FleetContainer = z.infer<typeof FleetContainerSchema>;

/** Live usage of one running container; rates are bytes per second, from the counters. */
export const FleetContainerUsageSchema = z.object({
  cpuPercent: z.number().nonnegative(),
  memoryUsage: z.number().int().nonnegative(),
  memoryLimit: z.number().int().nonnegative(),
  rxRate: z.number().nonnegative(),
  txRate: z.number().nonnegative(),
});
export type FleetContainerUsage = z.infer<typeof FleetContainerUsageSchema>;

/**
 * One tick's changes in usage, keyed by row key: only the fields that changed since the last
 * tick sent to this watcher, and null for a row whose usage is gone (the container stopped).
 */
export const FleetUsageDeltaSchema = z.record(z.string(), FleetContainerUsageSchema.partial().nullable());
export type FleetUsageDelta = z.infer<typeof FleetUsageDeltaSchema>;

/**
 * Applies one tick's usage changes to the usage kept by key. A partial change for a row whose
 * full usage was never kept is dropped; the next full one fills it.
 */
export function applyUsageDelta(usage: Map<string, FleetContainerUsage>, delta: FleetUsageDelta): void {
  for (const [key, change] of Object.entries(delta)) {
    if (change === null) {
      usage.delete(key);
      continue;
    }
    const merged = { ...usage.get(key), ...change };
    if (
      merged.cpuPercent !== undefined &&
      merged.memoryUsage !== undefined &&
      merged.memoryLimit !== undefined &&
      merged.rxRate !== undefined &&
      merged.txRate !== undefined
    )
      usage.set(key, merged as FleetContainerUsage);
  }
}

export const FleetContainersUpdateSchema = z.discriminatedUnion('kind', [
  /**
   * Everything known now: rows and the last usage of the running ones. Hosts whose list has not
   * come yet (`loadingHosts`) send their rows as `rows` updates when it does: one slow host does
   * not hold back the others.
   */
  z.object({
    kind: z.literal('snapshot'),
    rows: z.array(FleetContainerSchema),
    usage: z.record(z.string(), FleetContainerUsageSchema),
    loadingHosts: z.number().int().nonnegative().default(0),
  }),
  /** New or changed rows, and rows gone (by key); `loadingHosts` when a host's first list came. */
  z.object({
    kind: z.literal('rows'),
    upserts: z.array(FleetContainerSchema),
    removed: z.array(z.string()),
    loadingHosts: z.number().int().nonnegative().optional(),
  }),
  z.object({ kind: z.literal('usage'), usage: FleetUsageDeltaSchema }),
]);
export type FleetContainersUpdate = z.infer<typeof FleetContainersUpdateSchema>;

export const FleetContainersWatchInput = z
  .object({
    /** Only this host's containers (the host page); every visible host when left out. */
    hostId: z.string().min(1).max(64).optional(),
  })
  .default({});
export type FleetContainersWatchInput = z.infer<typeof FleetContainersWatchInput>;

export const MAX_BULK_CONTAINERS = 500;

/** One action over a selection of containers across hosts. */
export const BulkContainerActionInput = z.object({
  action: ContainerActionSchema,
  targets: z
    .array(z.object({ hostId: z.string().min(1).max(64), container: ContainerRefSchema }))
    .min(1)
    .max(MAX_BULK_CONTAINERS),
  /** remove: also a running container (it is killed first); the browser confirms this. */
  force: z.boolean().default(false),
});
export type BulkContainerActionInput = z.infer<typeof BulkContainerActionInput>;

export const BulkContainerResultSchema = z.object({
  hostId: z.string(),
  container: z.string(),
  ok: z.boolean(),
  /** Why it failed (null when it worked). */
  error: z.string().nullable(),
});
export type BulkContainerResult = z.infer<typeof BulkContainerResultSchema>;
