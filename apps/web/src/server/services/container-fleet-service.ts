import type {
  ContainerFacets,
  ContainerSummary,
  FleetContainer,
  FleetContainersUpdate,
  FleetContainerUsage,
  FleetEvent,
  FleetUsageDelta,
  HostStatus,
  HostSummary,
} from '@stevedore/shared';
import { isConnected } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { AgentHub } from '../hub/agent-hub';
import { listen } from '../util/listen';
import { mapLimited } from '../util/map-limited';
import { KeptLists } from './container-fleet-kept-lists';
import { compareHosts, FleetOrder, type HostRows, hostRowsOf } from './container-fleet-order';
import { diffRows, offline, UsageTracker } from './container-fleet-rows';
import {
  type FleetChange,
  type FleetRowsChange,
  type FleetWatcher,
  FleetWatchers,
} from './container-fleet-watchers';
import { openStatsStream } from './fleet-stats-stream';

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

interface HostState {
  host: HostSummary;
  rows: Map<string, FleetContainer>;
  /** Those rows in the list's order, as last given to the list (null until then). */
  ordered: HostRows | null;
  tracker: UsageTracker;
  stats: { unsubscribe(): void } | null;
  refreshing: Promise<void> | null;
  refreshAgain: boolean;
  /** Its first list has come (or failed): until then the browsers count it as loading. */
  loaded: boolean;
  timer: NodeJS.Timeout | null;
}

/**
 * Every container of every online host with its live usage, kept by the server while someone
 * watches: one list per host (refreshed on that host's container events) and one `containers.stats`
 * stream per host (the agent's shared 1 Hz sampler). Browsers get a snapshot, then changed rows and
 * removals as they happen, and once a second only the usage figures that changed.
 */
export class ContainerFleetService {
  private readonly hostStates = new Map<string, HostState>();
  private readonly watchers = new FleetWatchers();
  /** The hosts whose usage changed since the last tick, and (while someone wants them) the figures. */
  private usageChangedHosts = new Set<string>();
  private pendingUsage: FleetUsageDelta = {};
  private stopActive: (() => void) | null = null;
  private ready: Promise<void> = Promise.resolve();
  private linger: NodeJS.Timeout | null = null;
  /** Each host's last list, kept while nobody watches too. */
  private readonly kept: KeptLists;
  /** Every kept row in the list's own order, host by host. */
  private readonly order = new FleetOrder();

  constructor(
    private readonly hosts: { list(): Promise<HostSummary[]> },
    private readonly hub: AgentHub,
    private readonly events: { onEvent(listener: (event: FleetEvent) => void): () => void },
    private readonly log: Logger,
    private readonly timing: ContainerFleetTiming = DEFAULT_TIMING,
  ) {
    this.kept = new KeptLists(hub, events);
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
    return this.hostStates
      .get(key.slice(0, key.indexOf('/')))
      ?.tracker.current()
      .get(key);
  }

  /** Hosts (of one host's list, or every host's) whose first list has not come yet. */
  loadingHosts(hostId: string | undefined): number {
    let loading = 0;
    for (const state of this.hostStates.values())
      if ((!hostId || state.host.id === hostId) && !state.loaded) loading++;
    return loading;
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
    if (this.watchers.wanted(hostId)) this.schedule(hostId, delayMs);
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
    const rows = this.hostStates.get(hostId)?.rows;
    if (!rows) return null;
    const row = rows.get(`${hostId}/${containerId}`);
    if (row) return row.name;
    for (const candidate of rows.values())
      if (candidate.name === containerId || candidate.id.startsWith(containerId)) return candidate.name;
    return null;
  }

  close(): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    this.deactivate();
    this.kept.close();
  }

  private snapshot(hostId: string | undefined): FleetContainersUpdate {
    const usage: Record<string, FleetContainerUsage> = {};
    for (const state of this.hostStates.values()) {
      if (hostId && state.host.id !== hostId) continue;
      for (const [key, value] of state.tracker.current()) usage[key] = value;
    }
    return { kind: 'snapshot', rows: [...this.rows(hostId)], usage, loadingHosts: this.loadingHosts(hostId) };
  }

  /** A host's rows changed: the list's order and filter choices follow. */
  private reorder(state: HostState): HostRows {
    const ordered = hostRowsOf(state.host.id, state.host.name, state.rows.values());
    this.order.set(ordered);
    state.ordered = ordered;
    return ordered;
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
    for (const state of this.hostStates.values()) this.dropHost(state, false);
    this.hostStates.clear();
    this.order.clear();
    this.pendingUsage = {};
    this.usageChangedHosts.clear();
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
    for (const [hostId, state] of this.hostStates) {
      if (!present.has(hostId)) {
        this.dropHost(state, true);
        this.hostStates.delete(hostId);
        this.order.delete(hostId);
      }
    }
    this.kept.retain(present);
    const toRead: HostSummary[] = [];
    for (const host of hosts) {
      const state = this.hostStates.get(host.id);
      const renamed = state && (state.host.name !== host.name || state.host.address !== host.address);
      if (state) state.host = host;
      const online = isConnected(this.hub.status(host.id).state);
      const current = online ? this.kept.current(host) : null;
      // An offline host has nothing to wait for: its last known rows stand in for it. Nor has an
      // online one whose last list is current.
      if (!state) {
        const fresh = { ...this.newState(host), loaded: !online || current !== null };
        this.hostStates.set(host.id, fresh);
        if (current) {
          // Already in order: 500 hosts' rows sorted again here held the server for 60–90 ms.
          for (const row of current.rows) fresh.rows.set(row.key, row);
          this.order.set(current);
          fresh.ordered = current;
        } else {
          if (!online) for (const row of this.kept.last(host.id)) fresh.rows.set(row.key, offline(row));
          this.reorder(fresh);
        }
      }
      if (online && this.watchers.wanted(host.id) && (!state || renamed || !state.stats || !current))
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
      if (this.kept.current(host) && this.hostStates.get(host.id)?.loaded) {
        await this.subscribeStats(host.id, FIRST_BATCH_WAIT_MS);
        return;
      }
      await this.refresh(host.id);
      void this.subscribeStats(host.id, 0);
    });
  }

  private newState(host: HostSummary): HostState {
    return {
      host,
      rows: new Map(),
      ordered: null,
      tracker: new UsageTracker((containerId) => `${host.id}/${containerId}`),
      stats: null,
      refreshing: null,
      refreshAgain: false,
      timer: null,
      loaded: false,
    };
  }

  private onStatus(status: HostStatus): void {
    const state = this.hostStates.get(status.hostId);
    if (!state) {
      void this.reconcile(); // a host added meanwhile
      return;
    }
    if (isConnected(status.state)) {
      if (!state.stats && this.watchers.wanted(status.hostId)) {
        this.schedule(status.hostId, 0);
        void this.subscribeStats(status.hostId, 0);
      }
    } else {
      this.keepOffline(state);
    }
  }

  /** The host went offline: its stream stops, its rows stay, marked, until it is back. */
  private keepOffline(state: HostState): void {
    state.stats?.unsubscribe();
    state.stats = null;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    const gone = state.tracker.clear();
    if (gone.length > 0) this.usageChangedHosts.add(state.host.id);
    if (this.watchers.wantFigures) for (const key of gone) this.pendingUsage[key] = null;
    const upserts: FleetContainer[] = [];
    for (const [key, row] of state.rows) {
      if (row.hostOffline) continue;
      const marked = offline(row);
      state.rows.set(key, marked);
      upserts.push(marked);
    }
    if (upserts.length > 0) this.reorder(state);
    const wasLoading = !state.loaded;
    state.loaded = true;
    if (wasLoading) this.publishFirstRows(state.host.id, upserts, []);
    else if (upserts.length > 0) this.publish(state.host.id, { kind: 'rows', upserts, removed: [] });
  }

  /** Stops a host's stream and removes its rows (from the browsers too when `publish`). */
  private dropHost(state: HostState, publish: boolean): void {
    state.stats?.unsubscribe();
    state.stats = null;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    state.tracker.clear();
    const removed = [...state.rows.keys()];
    state.rows.clear();
    this.reorder(state);
    for (const key of removed) delete this.pendingUsage[key];
    const wasLoading = !state.loaded;
    state.loaded = true;
    if (publish && wasLoading) this.publishFirstRows(state.host.id, [], removed);
    else if (publish && removed.length > 0)
      this.publish(state.host.id, { kind: 'rows', upserts: [], removed });
  }

  private schedule(hostId: string, delayMs: number): void {
    const state = this.hostStates.get(hostId);
    if (!state) return;
    if (state.timer && delayMs > 0) return;
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.timer = null;
      void this.refresh(hostId);
    }, delayMs);
    state.timer.unref();
  }

  /** Re-reads one host's containers and publishes what changed; one read at a time per host. */
  private async refresh(hostId: string): Promise<void> {
    const state = this.hostStates.get(hostId);
    if (!state) return;
    if (state.refreshing) {
      state.refreshAgain = true;
      return state.refreshing;
    }
    state.refreshing = (async () => {
      do {
        state.refreshAgain = false;
        await this.readRows(state);
      } while (state.refreshAgain && this.hostStates.get(hostId) === state);
    })().finally(() => {
      state.refreshing = null;
    });
    return state.refreshing;
  }

  private async readRows(state: HostState): Promise<void> {
    const { host } = state;
    const version = this.kept.version(host.id);
    let summaries: ContainerSummary[];
    try {
      summaries = await this.hub.call(host.id, (client) => client.containers.list.query({ all: true }));
    } catch (error) {
      this.log.debug({ hostId: host.id, err: error }, 'listing containers failed; the host state says why');
      this.markLoaded(state);
      return;
    }
    if (this.hostStates.get(host.id) !== state) return; // dropped meanwhile
    const { next, upserts, removed } = diffRows(state.rows, host, summaries);
    state.rows = next;
    const changed = upserts.length > 0 || removed.length > 0;
    const ordered = changed || !state.ordered ? this.reorder(state) : state.ordered;
    this.kept.keep(host, ordered, version);
    if (!state.loaded) {
      state.loaded = true;
      this.publishFirstRows(host.id, upserts, removed);
    } else if (upserts.length > 0 || removed.length > 0) {
      this.publish(host.id, { kind: 'rows', upserts, removed });
    }
  }

  /** A host's first list failed: it no longer counts as loading. */
  private markLoaded(state: HostState): void {
    if (state.loaded || this.hostStates.get(state.host.id) !== state) return;
    state.loaded = true;
    this.publishFirstRows(state.host.id, [], []);
  }

  private publishFirstRows(hostId: string, upserts: FleetContainer[], removed: string[]): void {
    this.watchers.publishFirstRows(hostId, upserts, removed, (watched) => this.loadingHosts(watched));
  }

  /** Starts a host's stats stream; resolves at its first batch, its end, or after `waitMs`. */
  private subscribeStats(hostId: string, waitMs: number): Promise<void> {
    const state = this.hostStates.get(hostId);
    if (!state || state.stats) return Promise.resolve();
    let heard = () => {};
    const waited =
      waitMs > 0
        ? new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            heard = () => {
              clearTimeout(timer);
              resolve();
            };
          })
        : Promise.resolve();
    const handle = openStatsStream(
      this.hub,
      hostId,
      this.log,
      (batch) => {
        const figures = this.watchers.wantFigures ? this.pendingUsage : null;
        if (state.tracker.apply(batch, figures)) this.usageChangedHosts.add(hostId);
        heard();
      },
      () => {
        if (state.stats === handle) state.stats = null;
        heard();
      },
    );
    state.stats = handle;
    return waited;
  }

  private flushUsage(): void {
    if (this.usageChangedHosts.size === 0) return;
    const hosts = this.usageChangedHosts;
    const delta = this.pendingUsage;
    this.usageChangedHosts = new Set();
    this.pendingUsage = {};
    this.watchers.publishUsage(hosts, delta);
  }

  private publish(hostId: string, update: FleetRowsChange): void {
    this.watchers.publish(hostId, update);
  }
}
