import {
  type ContainerFacets,
  type FleetContainer,
  type FleetContainersUpdate,
  type FleetContainerUsage,
  type FleetFirstScreen,
  NO_CONTAINER_FILTERS,
} from '@stevedore/shared';
import { facetsOf, fingerprintOf, orderedRows } from './container-window';

/** The one part of the fleet service the first screen reads through. */
export interface FleetWatchSource {
  watch(hostId: string | undefined, signal: AbortSignal | undefined): AsyncGenerator<FleetContainersUpdate>;
}

/**
 * How long a page render waits for hosts whose list has not come yet (a cold list: nobody watched).
 * Short: a 1 s wait held the document back by up to 3 s under load (BENCHMARKS.md, ssr2's A/B); a
 * cold render past it sends what is there and the browser's subscription follows on from it.
 */
export const FIRST_SCREEN_WAIT_MS = 300;

/**
 * The containers list's first rows for a server-rendered page. While someone watches (or watched
 * in the last seconds) the service holds every host's rows: this is one snapshot of them, no agent
 * call. When nobody did, watching starts here (the service reads each host once) and the render
 * waits up to `waitMs` for the hosts' lists; the service keeps them for the browser's own
 * subscription, which follows within a second. An idle server does nothing more than before.
 */
export async function readFirstScreen(
  source: FleetWatchSource,
  hostId: string | undefined,
  limit: number,
  waitMs = FIRST_SCREEN_WAIT_MS,
): Promise<FleetFirstScreen> {
  let snapshot = await firstSnapshot(source, hostId);
  if (snapshot.loadingHosts > 0 && waitMs > 0) {
    await untilLoaded(source, hostId, waitMs);
    // A fresh snapshot: the order the browser's subscription will get (host by host), not arrival order.
    snapshot = await firstSnapshot(source, hostId);
  }
  return firstScreenOf(snapshot, limit, Date.now());
}

type Snapshot = Extract<FleetContainersUpdate, { kind: 'snapshot' }>;

/** One snapshot of the fleet's rows (the watch is ended at once). */
export async function firstSnapshot(source: FleetWatchSource, hostId: string | undefined): Promise<Snapshot> {
  const controller = new AbortController();
  const updates = source.watch(hostId, controller.signal);
  try {
    const { value } = await updates.next();
    if (value?.kind !== 'snapshot')
      throw new Error(`the containers list began with ${value ? `a ${value.kind} update` : 'nothing'}`);
    return value;
  } finally {
    controller.abort();
    await updates.return(undefined);
  }
}

/** Follows a watch until no host is loading or the time is up. */
async function untilLoaded(
  source: FleetWatchSource,
  hostId: string | undefined,
  waitMs: number,
): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), waitMs);
  try {
    for await (const update of source.watch(hostId, controller.signal)) {
      if (update.kind !== 'usage' && update.loadingHosts === 0) return;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/**
 * The first `limit` rows in the list's own order (as the browser's first window), their usage,
 * fingerprints and the counts and filter choices. Pure (unit-tested).
 */
export function firstScreenOf(snapshot: Snapshot, limit: number, at: number): FleetFirstScreen {
  const ordered = orderedRows(snapshot.rows, new Map(), NO_CONTAINER_FILTERS, null);
  return screenOf({
    ordered,
    usage: new Map(Object.entries(snapshot.usage)),
    total: snapshot.rows.length,
    facets: facetsOf(snapshot.rows),
    loadingHosts: snapshot.loadingHosts,
    limit,
    at,
  });
}

/** The first screen from rows already in the list's own order (a live window's, or a snapshot's sorted). */
export function screenOf(from: {
  ordered: readonly FleetContainer[];
  usage: ReadonlyMap<string, FleetContainerUsage>;
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
