import type { FleetContainer, FleetContainersUpdate, FleetUsageDelta } from '@stevedore/shared';

/** What a follower of the list is told: the list is ready to read, then each change. */
export type FleetChange = { kind: 'ready' } | Exclude<FleetContainersUpdate, { kind: 'snapshot' }>;

export interface FleetWatcher {
  /** The host whose list it shows, or undefined for the whole fleet. */
  hostId: string | undefined;
  push(update: FleetChange): void;
}

const shows = (watcher: FleetWatcher, hostId: string) => !watcher.hostId || watcher.hostId === hostId;

/** Who watches the containers list, and what each of them is sent. */
export class FleetWatchers {
  private readonly watchers = new Set<FleetWatcher>();

  get size(): number {
    return this.watchers.size;
  }

  add(watcher: FleetWatcher): void {
    this.watchers.add(watcher);
  }

  delete(watcher: FleetWatcher): void {
    this.watchers.delete(watcher);
  }

  /**
   * Whether some watcher shows this host: a host's page watches only its own host, and the other
   * hosts' lists and stats streams are then not read (with 500 hosts that was most of the page's cost).
   */
  wanted(hostId: string): boolean {
    for (const watcher of this.watchers) if (shows(watcher, hostId)) return true;
    return false;
  }

  /** Whether the watchers so far already cover a new watcher of `hostId` (or of every host). */
  wantedBefore(hostId: string | undefined): boolean {
    if (hostId) return this.wanted(hostId);
    for (const watcher of this.watchers) if (!watcher.hostId) return true;
    return false;
  }

  /** A change to one host's rows, to everyone who shows that host. */
  publish(hostId: string, update: Exclude<FleetChange, { kind: 'ready' }>): void {
    for (const watcher of this.watchers) if (shows(watcher, hostId)) watcher.push(update);
  }

  /** A host's first rows, with each watcher's own count of hosts still loading. */
  publishFirstRows(
    hostId: string,
    upserts: FleetContainer[],
    removed: string[],
    loadingHosts: (watchedHostId: string | undefined) => number,
  ): void {
    for (const watcher of this.watchers) {
      if (!shows(watcher, hostId)) continue;
      watcher.push({ kind: 'rows', upserts, removed, loadingHosts: loadingHosts(watcher.hostId) });
    }
  }

  /** The usage figures that changed: all of them to fleet-wide watchers, a host's own to its page. */
  publishUsage(delta: FleetUsageDelta): void {
    const keys = Object.keys(delta);
    if (keys.length === 0) return;
    for (const watcher of this.watchers) {
      if (!watcher.hostId) {
        watcher.push({ kind: 'usage', usage: delta });
        continue;
      }
      const prefix = `${watcher.hostId}/`;
      const mine: FleetUsageDelta = {};
      let any = false;
      for (const key of keys) {
        if (!key.startsWith(prefix)) continue;
        mine[key] = delta[key] ?? null;
        any = true;
      }
      if (any) watcher.push({ kind: 'usage', usage: mine });
    }
  }
}
