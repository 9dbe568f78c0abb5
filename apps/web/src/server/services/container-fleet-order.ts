import type { ContainerFacets, FleetContainer } from '@stevedore/shared';

export const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The filter bar offers at most this many label choices. */
const MAX_LABEL_CHOICES = 500;

const byKey = (a: FleetContainer, b: FleetContainer) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Hosts in the list's order: by name (numbers in order), then id (same-named hosts stay apart). */
export function compareHosts(a: { name: string; id: string }, b: { name: string; id: string }): number {
  return collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The list's own order: host (by name, then id: one host's rows stay together), then container
 * name (numbers in order), then key. Stable whatever order the hosts answered in.
 */
export function defaultOrder(a: FleetContainer, b: FleetContainer): number {
  if (a.hostId !== b.hostId)
    return compareHosts({ name: a.hostName, id: a.hostId }, { name: b.hostName, id: b.hostId });
  return collator.compare(a.name, b.name) || byKey(a, b);
}

/** One host's rows in the list's order, and what the filter bar reads of them. */
export interface HostRows {
  hostId: string;
  hostName: string;
  rows: readonly FleetContainer[];
  images: readonly string[];
  labels: readonly string[];
}

/** A host's rows as the list shows them: sorted by name (50 rows, not the fleet's 25,000). */
export function hostRowsOf(hostId: string, hostName: string, rows: Iterable<FleetContainer>): HostRows {
  const sorted = [...rows].sort((a, b) => collator.compare(a.name, b.name) || byKey(a, b));
  const images = new Set<string>();
  const labels = new Set<string>();
  for (const row of sorted) {
    images.add(row.image);
    for (const [key, value] of Object.entries(row.labels)) labels.add(`${key}=${value}`);
  }
  return { hostId, hostName, rows: sorted, images: [...images], labels: [...labels] };
}

const sameStrings = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);

/**
 * The fleet's rows in the list's own order, kept host by host. At 25,000 rows, sorting the whole
 * list (and gathering the filter bar's choices) for each page render and each browser window held
 * the server for 100 ms and more at a time: here the hosts are put in order once (500 names), each
 * host's rows when that host's list is read, and the whole list is the hosts' rows one after another,
 * made again (without comparing rows) only after a change.
 */
export class FleetOrder {
  private readonly hosts = new Map<string, HostRows>();
  /** The hosts' ids in the list's order (their rows change more often than their names). */
  private hostOrder: string[] | null = null;
  private all: readonly FleetContainer[] | null = null;
  private allFacets: ContainerFacets | null = null;
  private readonly hostFacets = new Map<string, ContainerFacets>();

  /** A host's rows now (replacing what it had). */
  set(next: HostRows): void {
    const before = this.hosts.get(next.hostId);
    this.hosts.set(next.hostId, next);
    this.all = null;
    if (!before || before.hostName !== next.hostName) this.hostOrder = null;
    if (
      !before ||
      before.hostName !== next.hostName ||
      (before.rows.length === 0) !== (next.rows.length === 0) ||
      !sameStrings(before.images, next.images) ||
      !sameStrings(before.labels, next.labels)
    ) {
      this.allFacets = null;
      this.hostFacets.delete(next.hostId);
    }
  }

  delete(hostId: string): void {
    if (!this.hosts.delete(hostId)) return;
    this.hostOrder = null;
    this.all = null;
    this.allFacets = null;
    this.hostFacets.delete(hostId);
  }

  clear(): void {
    this.hosts.clear();
    this.hostOrder = null;
    this.all = null;
    this.allFacets = null;
    this.hostFacets.clear();
  }

  /**
   * One host's rows, or every host's, in the list's own order. Read-only: a change makes a new
   * array, so a reader may keep this one as it was.
   */
  rows(hostId: string | undefined): readonly FleetContainer[] {
    if (hostId !== undefined) return this.hosts.get(hostId)?.rows ?? [];
    if (!this.all) {
      const all: FleetContainer[] = [];
      for (const host of this.orderedHosts()) for (const row of host.rows) all.push(row);
      this.all = all;
    }
    return this.all;
  }

  /** The filter bar's choices over one host's rows or every host's; the same object until they change. */
  facets(hostId: string | undefined): ContainerFacets {
    if (hostId !== undefined) {
      let facets = this.hostFacets.get(hostId);
      if (!facets) {
        const host = this.hosts.get(hostId);
        facets = facetsOfHosts(host ? [host] : []);
        this.hostFacets.set(hostId, facets);
      }
      return facets;
    }
    this.allFacets ??= facetsOfHosts(this.orderedHosts());
    return this.allFacets;
  }

  private orderedHosts(): HostRows[] {
    this.hostOrder ??= [...this.hosts.values()]
      .sort((a, b) => compareHosts({ name: a.hostName, id: a.hostId }, { name: b.hostName, id: b.hostId }))
      .map((host) => host.hostId);
    return this.hostOrder.map((hostId) => this.hosts.get(hostId) as HostRows);
  }
}

/** The filter bar's choices from hosts' rows (hosts without rows are not offered). */
function facetsOfHosts(hosts: readonly HostRows[]): ContainerFacets {
  const images = new Set<string>();
  const labels = new Set<string>();
  const withRows: [string, string][] = [];
  for (const host of hosts) {
    if (host.rows.length === 0) continue;
    withRows.push([host.hostId, host.hostName]);
    for (const image of host.images) images.add(image);
    for (const label of host.labels) if (labels.size < MAX_LABEL_CHOICES) labels.add(label);
  }
  return {
    hosts: withRows.sort((a, b) => collator.compare(a[1], b[1])),
    images: [...images].sort(),
    labels: [...labels].sort(),
  };
}
