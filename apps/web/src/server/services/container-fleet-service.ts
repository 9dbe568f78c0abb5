import type {
  ContainerFacets,
  FleetContainer,
  FleetContainersUpdate,
  FleetContainerUsage,
  FleetEvent,
  HostStatus,
  HostSummary,
} from '@stevedore/shared';
import { isConnected } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { AgentHub } from '../hub/agent-hub';
import { listen } from '../util/listen';
import { mapLimited } from '../util/map-limited';
import { FleetHosts } from './container-fleet-hosts';
import { KeptLists } from './container-fleet-kept-lists';
import { compareHosts, FleetOrder } from './container-fleet-order';
import { type FleetChange, type FleetWatcher, FleetWatchers } from './container-fleet-watchers';

export type { FleetChange } from './container-fleet-watchers';

export interface ContainerFleetTiming {
  /** How often the gathered usage changes go to the browsers. */
  usageFlushMs: number;
  /** Coalesces a burst of container events into one list refresh. */
  eventDebounceMs: number;
  /** Re-reads the host list (renames, removals) this often while someone watches. */
  reconcileMs: number;
  /** Keeps the streams this long after the last watcher left (a page change re-subscribes at once). */
  lingerMs: number;
}

/** Hosts whose lists are read (or stats streams started) at once when watching starts (loadHosts). */
const LOAD_CONCURRENCY = 64;

/** How long a started stats stream holds its place among those LOAD_CONCURRENCY for its first batch. */
const FIRST_BATCH_WAIT_MS = 100;

const DEFAULT_TIMING: ContainerFleetTiming = {
  usageFlushMs: 1_000,
  eventDebounceMs: 30,
  reconcileMs: 30_000,
  lingerMs: 10_000,
};

/**
 * Every container of every online host with its live usage, kept by the server while someone
 * watches: one list per host (refreshed on that host's container events) and one `containers.stats`
 * stream per host (the agent's shared 1 Hz sampler). Browsers get a snapshot, then changed rows and
 * removals as they happen, and once a second only the usage figures that changed.
 */
export class ContainerFleetService {
  private readonly watchers = new FleetWatchers();
  private stopActive: (() => void) | null = null;
  private ready: Promise<void> = Promise.resolve();
  private linger: NodeJS.Timeout | null = null;
  /** Each host's last list, kept while nobody watches too. */
  private readonly kept: KeptLists;
  /** Every kept row in the list's own order, host by host. */
  private readonly order = new FleetOrder();
  /** The hosts kept while someone watches: their rows, stats streams and loading state. */
  private readonly fleet: FleetHosts;

  constructor(
    private readonly hosts: { list(): Promise<HostSummary[]> },
    private readonly hub: AgentHub,
    private readonly events: { onEvent(listener: (event: FleetEvent) => void): () => void },
    private readonly log: Logger,
    private readonly timing: ContainerFleetTiming = DEFAULT_TIMING,
  ) {
    this.kept = new KeptLists(hub, events);
    this.fleet = new FleetHosts(hub, this.kept, this.order, this.watchers, log);
  }

  /** A snapshot (of one host, or every host), then every change, until the signal aborts. */
  watch(hostId: string | undefined, signal: AbortSignal | undefined): AsyncGenerator<FleetContainersUpdate> {
    return this.follow<FleetContainersUpdate>(hostId, true, signal, () => this.snapshot(hostId));
  }

  /**
   * Like `watch`, without the snapshot: `ready` once the hosts are known, then every change. The
   * reader reads the list itself (`rows`, `usage`, `facets`) rather than keep a copy of it.
   */
  changes(hostId: string | undefined, signal: AbortSignal | undefined): AsyncGenerator<FleetChange> {
    return this.follow<FleetChange>(hostId, false, signal, () => ({ kind: 'ready' }));
  }

  /** One host's rows or every host's, in the list's own order (read-only; replaced on a change). */
  rows(hostId: string | undefined): readonly FleetContainer[] {
    return this.order.rows(hostId);
  }

  /** The filter bar's choices over those rows; the same object until they change. */
  facets(hostId: string | undefined): ContainerFacets {
    return this.order.facets(hostId);
  }

  /** A running container's last usage, by row key. */
  usage(key: string): FleetContainerUsage | undefined {
    return this.fleet.usage(key);
  }

  /** Hosts (of one host's list, or every host's) whose first list has not come yet. */
  loadingHosts(hostId: string | undefined): number {
    return this.fleet.loadingHosts(hostId);
  }

  private follow<T extends FleetChange | FleetContainersUpdate>(
    hostId: string | undefined,
    figures: boolean,
    signal: AbortSignal | undefined,
    first: () => T,
  ): AsyncGenerator<T> {
    return listen<T>(
      (push) => {
        const watcher: FleetWatcher = {
          hostId,
          figures,
          push: push as (update: FleetChange | FleetContainersUpdate) => void,
        };
        const widens = this.stopActive !== null && !this.watchers.wantedBefore(hostId);
        this.watchers.add(watcher);
        if (this.linger) clearTimeout(this.linger);
        this.linger = null;
        this.activate();
        // Already active for other hosts only: this watcher's hosts are read now.
        if (widens)
          this.ready = this.syncHosts().then((hosts) => {
            if (hosts) void this.loadHosts(hosts);
          });
        return () => {
          this.watchers.delete(watcher);
          if (this.watchers.size > 0) return;
          this.linger = setTimeout(() => {
            this.linger = null;
            if (this.watchers.size === 0) this.deactivate();
          }, this.timing.lingerMs);
          this.linger.unref();
        };
      },
      signal,
      async () => {
        // The hosts are known; their rows follow as each host answers.
        await this.ready;
        return [first()];
      },
    );
  }

  /** Re-reads a host's containers now (after an action), without waiting for its events. */
  nudge(hostId: string): void {
    if (this.stopActive) this.changed(hostId, 0);
  }

  /** A host's list changed: read it again soon when a watcher shows it, else once one does. */
  private changed(hostId: string, delayMs: number): void {
    if (this.watchers.wanted(hostId)) this.fleet.schedule(hostId, delayMs);
  }

  /**
   * Events that keep the kept lists current may have been missed (with several processes, the
   * listener for the others' events reconnected): each list is read again when next shown.
   */
  outdateAll(): void {
    this.kept.outdateAll();
  }

  /** The name of a container the list knows (for audit entries); null when nobody watches. */
  nameOf(hostId: string, containerId: string): string | null {
    return this.fleet.nameOf(hostId, containerId);
  }

  close(): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    this.deactivate();
    this.kept.close();
  }

  private snapshot(hostId: string | undefined): FleetContainersUpdate {
    return {
      kind: 'snapshot',
      rows: [...this.rows(hostId)],
      usage: this.fleet.allUsage(hostId),
      loadingHosts: this.loadingHosts(hostId),
    };
  }

  private activate(): void {
    if (this.stopActive) return;
    const flush = setInterval(() => this.flushUsage(), this.timing.usageFlushMs);
    const reconcile = setInterval(() => void this.reconcile(), this.timing.reconcileMs);
    flush.unref();
    reconcile.unref();
    const stops = [
      this.hub.onStatus((status) => this.onStatus(status)),
      this.events.onEvent((event) => {
        if (event.type === 'container') this.changed(event.hostId, this.timing.eventDebounceMs);
      }),
    ];
    this.stopActive = () => {
      clearInterval(flush);
      clearInterval(reconcile);
      for (const stop of stops) stop();
    };
    this.ready = this.syncHosts().then((hosts) => {
      if (hosts) void this.loadHosts(hosts);
    });
  }

  /** Nobody watches: the stats streams stop (so do the agents' samplers) and nothing is kept. */
  private deactivate(): void {
    this.stopActive?.();
    this.stopActive = null;
    this.fleet.clear();
  }

  /** Follows the host list: new hosts, renamed or re-pointed ones, removed ones. */
  private async reconcile(): Promise<void> {
    const hosts = await this.syncHosts();
    if (hosts) await this.loadHosts(hosts);
  }

  /**
   * Brings the kept hosts in line with the host list; returns the hosts to load: rows to read, or,
   * for a host whose last list is current (its rows are already kept), only its stats to start.
   */
  private async syncHosts(): Promise<HostSummary[] | null> {
    let hosts: HostSummary[];
    try {
      hosts = await this.hosts.list();
    } catch (error) {
      this.log.warn({ err: error }, 'listing hosts for the containers list failed');
      return null;
    }
    if (!this.stopActive) return null;
    const present = new Set(hosts.map((host) => host.id));
    for (const hostId of [...this.fleet.ids()]) if (!present.has(hostId)) this.fleet.remove(hostId);
    this.kept.retain(present);
    const toRead: HostSummary[] = [];
    for (const host of hosts) {
      const known = this.fleet.has(host.id);
      const wanted = this.watchers.wanted(host.id);
      // A host's page keeps its own host only: the other 499 hosts' rows copied and put in order
      // were most of its load's cost. They are added when a fleet-wide watcher comes.
      if (!known && !wanted) continue;
      const renamed = this.fleet.update(host);
      const online = isConnected(this.hub.status(host.id).state);
      const current = online ? this.kept.current(host) : null;
      // An offline host has nothing to wait for: its last known rows stand in for it. Nor has an
      // online one whose last list is current.
      if (!known) this.fleet.add(host, online, current);
      if (online && wanted && (!known || renamed || !this.fleet.following(host.id) || !current))
        toRead.push(host);
    }
    return toRead;
  }

  /**
   * Reads the hosts' lists (unless current) and starts their stats, LOAD_CONCURRENCY at a time: 500
   * lists asked at once came back together, and handling them held every other request (a page,
   * /api/health) for hundreds of ms. So would 500 stats streams' first batches.
   */
  private async loadHosts(hosts: HostSummary[]): Promise<void> {
    // In the list's order: the hosts whose rows a page shows first are read first.
    const inOrder = [...hosts].sort(compareHosts);
    await mapLimited(inOrder, LOAD_CONCURRENCY, async (host) => {
      if (this.kept.current(host) && this.fleet.loaded(host.id)) {
        await this.fleet.subscribeStats(host.id, FIRST_BATCH_WAIT_MS);
        return;
      }
      await this.fleet.refresh(host.id);
      void this.fleet.subscribeStats(host.id, 0);
    });
  }

  private onStatus(status: HostStatus): void {
    const { hostId } = status;
    if (!this.fleet.has(hostId)) {
      if (this.watchers.wanted(hostId)) void this.reconcile(); // a host added meanwhile
      return;
    }
    if (!isConnected(status.state)) this.fleet.keepOffline(hostId);
    else if (!this.fleet.following(hostId) && this.watchers.wanted(hostId)) {
      this.fleet.schedule(hostId, 0);
      void this.fleet.subscribeStats(hostId, 0);
    }
  }

  private flushUsage(): void {
    const tick = this.fleet.takeUsage();
    if (tick) this.watchers.publishUsage(tick.hosts, tick.delta);
  }
}
