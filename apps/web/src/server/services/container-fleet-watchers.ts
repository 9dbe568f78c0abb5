import type { FleetContainer, FleetContainersUpdate, FleetUsageDelta } from '@stevedore/shared';

export type FleetRowsChange = Extract<FleetContainersUpdate, { kind: 'rows' }>;

/**
 * What a follower of the list is told: the list is ready to read, then each change. A usage tick
 * carries no figures: the follower reads those it shows (`usage(key)`).
 */
export type FleetChange = { kind: 'ready' } | FleetRowsChange | { kind: 'usage' };

export interface FleetWatcher {
  /** The host whose list it shows, or undefined for the whole fleet. */
  hostId: string | undefined;
  /** Sent the usage figures that changed (a copy of the list kept elsewhere), not only that some did. */
  figures: boolean;
  push(update: FleetChange | FleetContainersUpdate): void;
}

const shows = (watcher: FleetWatcher, hostId: string) => !watcher.hostId || watcher.hostId === hostId;

/** Who watches the containers list, and what each of them is sent. */
export class FleetWatchers {
  private readonly watchers = new Set<FleetWatcher>();
  private withFigures = 0;

  get size(): number {
    return this.watchers.size;
  }

  /**
   * Whether anyone is sent the changed figures themselves. The containers list's windows only need
   * to know that some changed: at 500 hosts gathering the figures of 8,000 changed containers each
   * second made two objects for each.
   */
  get wantFigures(): boolean {
    return this.withFigures > 0;
  }

  add(watcher: FleetWatcher): void {
    if (this.watchers.has(watcher)) return;
    this.watchers.add(watcher);
    if (watcher.figures) this.withFigures++;
  }

  delete(watcher: FleetWatcher): void {
    if (this.watchers.delete(watcher) && watcher.figures) this.withFigures--;
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
  publish(hostId: string, update: FleetRowsChange): void {
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

  /**
   * A usage tick: the hosts whose figures changed, and (while `wantFigures`) the figures. Those who
   * want the figures get all of them for the whole fleet, a host's own for its page; the others are
   * told when a host they show changed.
   */
  publishUsage(hosts: ReadonlySet<string>, delta: FleetUsageDelta): void {
    if (hosts.size === 0) return;
    const keys = this.wantFigures ? Object.keys(delta) : [];
    for (const watcher of this.watchers) {
      if (!watcher.figures) {
        if (!watcher.hostId || hosts.has(watcher.hostId)) watcher.push({ kind: 'usage' });
        continue;
      }
      if (!watcher.hostId) {
        if (keys.length > 0) watcher.push({ kind: 'usage', usage: delta });
        continue;
      }
      if (!hosts.has(watcher.hostId)) continue;
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
