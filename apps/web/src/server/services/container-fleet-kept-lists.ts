import {
  type FleetContainer,
  type FleetEvent,
  type HostStatus,
  type HostSummary,
  isConnected,
} from '@stevedore/shared';
import type { HostRows } from './container-fleet-order';

interface KeptList {
  /** Its rows in the list's order, as the list keeps them. */
  ordered: HostRows;
  /** The host's version when the read started. */
  version: number;
  /** The host as it was then: its rows carry its name and address. */
  host: HostSummary;
}

/**
 * Each host's last container list, kept while nobody watches the containers list too: an offline
 * host's rows come from it, and so do an online host's while it is current. A host's version moves
 * on with each of its container events and each time it stops being connected (the hub's event
 * feed resumes without gaps): a list read before that is no longer current.
 */
export class KeptLists {
  private readonly lists = new Map<string, KeptList>();
  private readonly versions = new Map<string, number>();
  private readonly stops: Array<() => void>;

  constructor(
    hub: { onStatus(listener: (status: HostStatus) => void): () => void },
    events: { onEvent(listener: (event: FleetEvent) => void): () => void },
  ) {
    this.stops = [
      hub.onStatus((status) => {
        if (!isConnected(status.state)) this.outdate(status.hostId);
      }),
      events.onEvent((event) => {
        if (event.type === 'container') this.outdate(event.hostId);
      }),
    ];
  }

  /** Taken before a host's list is read, and given back to `keep` with what was read. */
  version(hostId: string): number {
    return this.versions.get(hostId) ?? 0;
  }

  keep(host: HostSummary, ordered: HostRows, version: number): void {
    this.lists.set(host.id, { ordered, version, host });
  }

  /** The host's last list when nothing changed since it was read (nor the host's name or address). */
  current(host: HostSummary): HostRows | null {
    const kept = this.lists.get(host.id);
    if (!kept || kept.version !== this.version(host.id)) return null;
    const then = kept.host;
    if (then.name !== host.name || then.address !== host.address || then.transport !== host.transport)
      return null;
    return kept.ordered;
  }

  /** The host's last rows, current or not (for an offline host). */
  last(hostId: string): readonly FleetContainer[] {
    return this.lists.get(hostId)?.ordered.rows ?? [];
  }

  /** Events may have been missed (another process's, while the cluster listener reconnected). */
  outdateAll(): void {
    for (const hostId of this.lists.keys()) this.outdate(hostId);
  }

  /** Forgets the hosts no longer registered. */
  retain(present: ReadonlySet<string>): void {
    for (const hostId of this.lists.keys()) if (!present.has(hostId)) this.lists.delete(hostId);
    for (const hostId of this.versions.keys()) if (!present.has(hostId)) this.versions.delete(hostId);
  }

  close(): void {
    for (const stop of this.stops) stop();
  }

  private outdate(hostId: string): void {
    this.versions.set(hostId, this.version(hostId) + 1);
  }
}
