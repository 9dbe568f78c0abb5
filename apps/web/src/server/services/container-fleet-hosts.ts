import type {
  ContainerSummary,
  FleetContainer,
  FleetContainerUsage,
  FleetUsageDelta,
  HostSummary,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { AgentHub } from '../hub/agent-hub';
import type { KeptLists } from './container-fleet-kept-lists';
import { type FleetOrder, type HostRows, hostRowsOf } from './container-fleet-order';
import { diffRows, offline, UsageTracker } from './container-fleet-rows';
import type { FleetRowsChange, FleetWatchers } from './container-fleet-watchers';
import { openStatsStream } from './fleet-stats-stream';

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

/** What changed in the fleet's usage since the last tick. */
export interface UsageTick {
  hosts: Set<string>;
  /** The figures, gathered only while a watcher wants them (else empty). */
  delta: FleetUsageDelta;
}

/**
 * The containers list's hosts while someone watches: each host's rows (read again on its events),
 * its stats stream, and whether its first list has come. Tells the watchers what changed.
 */
export class FleetHosts {
  private readonly states = new Map<string, HostState>();
  private usageChangedHosts = new Set<string>();
  private pendingUsage: FleetUsageDelta = {};

  constructor(
    private readonly hub: AgentHub,
    private readonly kept: KeptLists,
    private readonly order: FleetOrder,
    private readonly watchers: FleetWatchers,
    private readonly log: Logger,
  ) {}

  has(hostId: string): boolean {
    return this.states.has(hostId);
  }

  ids(): IterableIterator<string> {
    return this.states.keys();
  }

  /** Whether the host's rows are known and its stats stream runs. */
  following(hostId: string): boolean {
    const state = this.states.get(hostId);
    return state?.stats != null;
  }

  loaded(hostId: string): boolean {
    return this.states.get(hostId)?.loaded === true;
  }

  /**
   * A host starts being kept: with its last list when that is current (already in order: 500
   * hosts' rows sorted again here held the server for 60–90 ms), with its last known rows marked
   * offline when it is offline, else empty until its list is read.
   */
  add(host: HostSummary, online: boolean, current: HostRows | null): void {
    const state = this.newState(host);
    state.loaded = !online || current !== null;
    this.states.set(host.id, state);
    if (current) {
      for (const row of current.rows) state.rows.set(row.key, row);
      this.order.set(current);
      state.ordered = current;
      return;
    }
    if (!online) for (const row of this.kept.last(host.id)) state.rows.set(row.key, offline(row));
    this.reorder(state);
  }

  /** Updates a kept host's name and address; whether either changed. */
  update(host: HostSummary): boolean {
    const state = this.states.get(host.id);
    if (!state) return false;
    const renamed = state.host.name !== host.name || state.host.address !== host.address;
    state.host = host;
    return renamed;
  }

  /** A host left the host list: its stream stops and its rows leave the browsers' lists. */
  remove(hostId: string): void {
    const state = this.states.get(hostId);
    if (!state) return;
    this.dropHost(state, true);
    this.states.delete(hostId);
    this.order.delete(hostId);
  }

  /** Nobody watches: every stream stops and nothing is kept. */
  clear(): void {
    for (const state of this.states.values()) this.dropHost(state, false);
    this.states.clear();
    this.order.clear();
    this.pendingUsage = {};
    this.usageChangedHosts.clear();
  }

  /** Hosts (of one host's list, or every host's) whose first list has not come yet. */
  loadingHosts(hostId: string | undefined): number {
    let loading = 0;
    for (const state of this.states.values())
      if ((!hostId || state.host.id === hostId) && !state.loaded) loading++;
    return loading;
  }

  /** A running container's last usage, by row key. */
  usage(key: string): FleetContainerUsage | undefined {
    return this.states
      .get(key.slice(0, key.indexOf('/')))
      ?.tracker.current()
      .get(key);
  }

  /** Every running container's last usage (of one host, or every host), by row key. */
  allUsage(hostId: string | undefined): Record<string, FleetContainerUsage> {
    const usage: Record<string, FleetContainerUsage> = {};
    for (const state of this.states.values()) {
      if (hostId && state.host.id !== hostId) continue;
      for (const [key, value] of state.tracker.current()) usage[key] = value;
    }
    return usage;
  }

  /** The usage changes gathered since the last call, or null when there were none. */
  takeUsage(): UsageTick | null {
    if (this.usageChangedHosts.size === 0) return null;
    const tick = { hosts: this.usageChangedHosts, delta: this.pendingUsage };
    this.usageChangedHosts = new Set();
    this.pendingUsage = {};
    return tick;
  }

  /** The name of a container the list knows (for audit entries); null when the host is not kept. */
  nameOf(hostId: string, containerId: string): string | null {
    const rows = this.states.get(hostId)?.rows;
    if (!rows) return null;
    const row = rows.get(`${hostId}/${containerId}`);
    if (row) return row.name;
    for (const candidate of rows.values())
      if (candidate.name === containerId || candidate.id.startsWith(containerId)) return candidate.name;
    return null;
  }

  /** The host went offline: its stream stops, its rows stay, marked, until it is back. */
  keepOffline(hostId: string): void {
    const state = this.states.get(hostId);
    if (!state) return;
    state.stats?.unsubscribe();
    state.stats = null;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    const gone = state.tracker.clear();
    if (gone.length > 0) this.usageChangedHosts.add(hostId);
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
    if (wasLoading) this.publishFirstRows(hostId, upserts, []);
    else if (upserts.length > 0) this.publish(hostId, { kind: 'rows', upserts, removed: [] });
  }

  /** Reads a host's list again after `delayMs`; a later call with a delay joins the one waiting. */
  schedule(hostId: string, delayMs: number): void {
    const state = this.states.get(hostId);
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
  refresh(hostId: string): Promise<void> {
    const state = this.states.get(hostId);
    if (!state) return Promise.resolve();
    if (state.refreshing) {
      state.refreshAgain = true;
      return state.refreshing;
    }
    state.refreshing = (async () => {
      do {
        state.refreshAgain = false;
        await this.readRows(state);
      } while (state.refreshAgain && this.states.get(hostId) === state);
    })().finally(() => {
      state.refreshing = null;
    });
    return state.refreshing;
  }

  /** Starts a host's stats stream; resolves at its first batch, its end, or after `waitMs`. */
  subscribeStats(hostId: string, waitMs: number): Promise<void> {
    const state = this.states.get(hostId);
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

  /** A host's rows changed: the list's order and filter choices follow. */
  private reorder(state: HostState): HostRows {
    const ordered = hostRowsOf(state.host.id, state.host.name, state.rows.values());
    this.order.set(ordered);
    state.ordered = ordered;
    return ordered;
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
    if (this.states.get(host.id) !== state) return; // dropped meanwhile
    const { next, upserts, removed } = diffRows(state.rows, host, summaries);
    state.rows = next;
    const changed = upserts.length > 0 || removed.length > 0;
    const ordered = changed || !state.ordered ? this.reorder(state) : state.ordered;
    this.kept.keep(host, ordered, version);
    if (!state.loaded) {
      state.loaded = true;
      this.publishFirstRows(host.id, upserts, removed);
    } else if (changed) {
      this.publish(host.id, { kind: 'rows', upserts, removed });
    }
  }

  /** A host's first list failed: it no longer counts as loading. */
  private markLoaded(state: HostState): void {
    if (state.loaded || this.states.get(state.host.id) !== state) return;
    state.loaded = true;
    this.publishFirstRows(state.host.id, [], []);
  }

  private publishFirstRows(hostId: string, upserts: FleetContainer[], removed: string[]): void {
    this.watchers.publishFirstRows(hostId, upserts, removed, (watched) => this.loadingHosts(watched));
  }

  private publish(hostId: string, update: FleetRowsChange): void {
    this.watchers.publish(hostId, update);
  }
}
