import type {
  ContainerFacets,
  FleetContainer,
  FleetContainerUsage,
  FleetFirstScreen,
} from '@stevedore/shared';
import type { FleetChange } from './container-fleet-service';
import { fingerprintOf, type UsageLookup } from './container-window';

/** The part of the fleet service the containers list's windows and first screen read. */
export interface FleetListSource {
  /** `ready` once the hosts are known, then each change of the list, until the signal aborts. */
  changes(hostId: string | undefined, signal: AbortSignal | undefined): AsyncGenerator<FleetChange>;
  /** The rows in the list's own order, as they are now (read-only). */
  rows(hostId: string | undefined): readonly FleetContainer[];
  facets(hostId: string | undefined): ContainerFacets;
  usage(key: string): FleetContainerUsage | undefined;
  loadingHosts(hostId: string | undefined): number;
}

/** The fleet's usage as a lookup (for the window helpers). */
export const usageOf = (source: FleetListSource): UsageLookup => ({ get: (key) => source.usage(key) });

/**
 * How long a page render waits for hosts whose list has not come yet (a cold list: nobody watched).
 * Short: a 1 s wait held the document back by up to 3 s under load (BENCHMARKS.md, ssr2's A/B); a
 * cold render past it sends what is there and the browser's subscription follows on from it.
 */
export const FIRST_SCREEN_WAIT_MS = 300;

/**
 * The containers list's first rows for a server-rendered page. While someone watches (or watched
 * in the last seconds) the service holds every host's rows in the list's order: this reads the
 * first of them, no agent call and no copy. When nobody did, watching starts here (the service
 * reads each host once) and the render waits up to `waitMs` for the hosts' lists; the service keeps
 * them for the browser's own subscription, which follows within a second.
 */
export async function readFirstScreen(
  source: FleetListSource,
  hostId: string | undefined,
  limit: number,
  waitMs = FIRST_SCREEN_WAIT_MS,
): Promise<FleetFirstScreen> {
  await untilLoaded(source, hostId, waitMs);
  const ordered = source.rows(hostId);
  return screenOf({
    ordered,
    usage: usageOf(source),
    total: ordered.length,
    facets: source.facets(hostId),
    loadingHosts: source.loadingHosts(hostId),
    limit,
    at: Date.now(),
  });
}

/**
 * Starts the list being watched (the service keeps it a while after) and waits until its hosts
 * are known, then up to `waitMs` until every host's first list has come.
 */
export async function untilLoaded(
  source: FleetListSource,
  hostId: string | undefined,
  waitMs: number,
): Promise<void> {
  const controller = new AbortController();
  const changes = source.changes(hostId, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  try {
    const { value } = await changes.next();
    if (value?.kind !== 'ready')
      throw new Error(`the containers list began with ${value ? `a ${value.kind} update` : 'nothing'}`);
    if (waitMs <= 0 || source.loadingHosts(hostId) === 0) return;
    timer = setTimeout(() => controller.abort(), waitMs);
    for await (const change of changes)
      if (change.kind === 'rows' && source.loadingHosts(hostId) === 0) return;
  } finally {
    clearTimeout(timer);
    controller.abort();
    await changes.return(undefined);
  }
}

/** The first `limit` rows (in the list's own order), their usage and fingerprints, and the counts. */
function screenOf(from: {
  ordered: readonly FleetContainer[];
  usage: UsageLookup;
  total: number;
  facets: ContainerFacets;
  loadingHosts: number;
  limit: number;
  at: number;
}): FleetFirstScreen {
  const rows = from.ordered.slice(0, from.limit);
  const usage: Record<string, FleetContainerUsage> = {};
  const fingerprints: Record<string, string> = {};
  for (const row of rows) {
    const value = from.usage.get(row.key);
    if (value) usage[row.key] = value;
    fingerprints[row.key] = fingerprintOf(row);
  }
  return {
    rows,
    usage,
    total: from.total,
    hosts: from.facets.hosts.length,
    loadingHosts: from.loadingHosts,
    at: from.at,
    fingerprints,
    facets: from.facets,
  };
}
