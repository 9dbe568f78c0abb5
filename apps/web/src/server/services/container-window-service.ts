import type {
  ContainerFacets,
  ContainerMatchingInput,
  ContainerWindowMoveInput,
  ContainerWindowUpdate,
  ContainerWindowView,
  ContainerWindowWatchInput,
  FleetContainer,
  FleetContainersUpdate,
  FleetContainerUsage,
  FleetFirstScreen,
} from '@stevedore/shared';
import { applyUsageDelta, NO_CONTAINER_FILTERS } from '@stevedore/shared';
import type { Logger } from 'pino';
import { listen } from '../util/listen';
import { type FleetWatchSource, firstSnapshot, readFirstScreen, screenOf } from './container-first-screen';
import {
  emptySent,
  facetsOf,
  fingerprintOf,
  keepsPlace,
  orderedRows,
  type SentWindow,
  sameFacetInputs,
  sameFacets,
  windowDelta,
} from './container-window';

/** Coalesces the fleet's updates (a host's rows, the 1 s usage tick, a scroll) into one send. */
const FLUSH_DELAY_MS = 30;
/** A move that came before its window's subscription is kept this long for it. */
const EARLY_MOVE_MS = 30_000;

interface BrowserWindow {
  userId: string;
  /** The host the window's list is of (undefined: every host). */
  hostId: string | undefined;
  view: ContainerWindowView;
  rows: Map<string, FleetContainer>;
  usage: Map<string, FleetContainerUsage>;
  loadingHosts: number;
  /** The filtered, sorted rows; null when rows came or went, or filters or sort changed, since. */
  ordered: FleetContainer[] | null;
  /** Each ordered row's index by key (with `ordered`). */
  positions: Map<string, number>;
  /** Usage changed since the last send (re-sorts a list sorted by a usage figure). */
  usageChanged: boolean;
  facets: ContainerFacets | null;
  facetsStale: boolean;
  sent: SentWindow;
  /** The counts last sent: an update with nothing new is not sent. */
  sentCounts: string;
  hosts: number;
  started: boolean;
  timer: NodeJS.Timeout | null;
  push(update: ContainerWindowUpdate): void;
}

const USAGE_SORTS = new Set(['cpu', 'memory', 'network']);

/**
 * The containers list's windows: each browser's subscription follows the fleet's rows (through the
 * fleet service's own watch: its rows and usage, kept by reference) and gets only the rows of its
 * window, in its filters' and sort's order, as deltas against what it was sent. The browser moves
 * its window (scrolling, a new filter or sort) with `move`; the same subscription goes on.
 */
export class ContainerWindowService {
  private readonly windows = new Map<string, BrowserWindow>();
  private readonly earlyMoves = new Map<string, { userId: string; view: ContainerWindowView; at: number }>();

  constructor(
    private readonly fleet: FleetWatchSource,
    private readonly log: Logger,
  ) {}

  watch(
    userId: string,
    input: ContainerWindowWatchInput,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<ContainerWindowUpdate> {
    return listen<ContainerWindowUpdate>((push) => {
      const early = this.earlyMoves.get(input.windowId);
      this.earlyMoves.delete(input.windowId);
      const view =
        early && early.userId === userId && early.view.seq > input.view.seq ? early.view : input.view;
      const window: BrowserWindow = {
        userId,
        hostId: input.hostId,
        view,
        rows: new Map(),
        usage: new Map(),
        loadingHosts: 0,
        ordered: null,
        positions: new Map(),
        usageChanged: false,
        facets: null,
        facetsStale: true,
        sent: emptySent(),
        sentCounts: '',
        hosts: 0,
        started: false,
        timer: null,
        push,
      };
      this.windows.set(input.windowId, window);
      const controller = new AbortController();
      void this.follow(window, input, controller.signal);
      return () => {
        controller.abort();
        if (window.timer) clearTimeout(window.timer);
        if (this.windows.get(input.windowId) === window) this.windows.delete(input.windowId);
      };
    }, signal);
  }

  /** Moves a window (scroll, filters, sort); false when it is not (yet) this user's window. */
  move(userId: string, input: ContainerWindowMoveInput): { moved: boolean } {
    const window = this.windows.get(input.windowId);
    if (!window) {
      // Its subscription may not have started yet (both come over the same connection, the move first).
      const now = Date.now();
      for (const [id, early] of this.earlyMoves)
        if (now - early.at > EARLY_MOVE_MS) this.earlyMoves.delete(id);
      const kept = this.earlyMoves.get(input.windowId);
      if (!kept || kept.view.seq < input.view.seq)
        this.earlyMoves.set(input.windowId, { userId, view: input.view, at: now });
      return { moved: false };
    }
    if (window.userId !== userId) return { moved: false };
    if (input.view.seq < window.view.seq) return { moved: true }; // an older move, overtaken
    const before = window.view;
    window.view = input.view;
    if (
      JSON.stringify(before.filters) !== JSON.stringify(input.view.filters) ||
      JSON.stringify(before.sort) !== JSON.stringify(input.view.sort)
    )
      window.ordered = null;
    this.schedule(window, 0);
    return { moved: true };
  }

  /**
   * The list's first rows for a server-rendered page. While a browser watches the same list in its
   * own order (no filter, no sort), they are that window's ordered rows: no snapshot of the fleet is
   * copied and nothing is sorted again. Otherwise (nobody watches it) the fleet's snapshot is read.
   */
  async firstScreen(hostId: string | undefined, limit: number, waitMs?: number): Promise<FleetFirstScreen> {
    const window = this.defaultOrderWindow(hostId);
    if (!window) return readFirstScreen(this.fleet, hostId, limit, waitMs);
    // Kept on the window (its view is the list's own order): its next send uses the same order.
    const ordered = this.orderedOf(window);
    // The window's own facets stay as its browser was sent them (its next send compares against them).
    const facets = !window.facetsStale && window.facets ? window.facets : facetsOf(window.rows.values());
    return screenOf({
      ordered,
      usage: window.usage,
      total: window.rows.size,
      facets,
      loadingHosts: window.loadingHosts,
      limit,
      at: Date.now(),
    });
  }

  /** A live window of `hostId`'s list with every host loaded, in the list's own order. */
  private defaultOrderWindow(hostId: string | undefined): BrowserWindow | null {
    for (const window of this.windows.values()) {
      if (!window.started || window.hostId !== hostId || window.loadingHosts > 0) continue;
      if (window.view.sort) continue;
      const filters = window.view.filters;
      if ((Object.keys(NO_CONTAINER_FILTERS) as (keyof typeof filters)[]).some((key) => filters[key] !== ''))
        continue;
      return window;
    }
    return null;
  }

  /** Every row the filters match, of the hosts `mayOperate` allows, and not offline. */
  async matching(
    input: ContainerMatchingInput,
    mayOperate: (hostId: string) => boolean,
  ): Promise<FleetContainer[]> {
    const snapshot = await firstSnapshot(this.fleet, input.hostId);
    const usage = new Map(Object.entries(snapshot.usage));
    return orderedRows(
      snapshot.rows.filter((row) => !row.hostOffline && mayOperate(row.hostId)),
      usage,
      input.filters,
      null,
    );
  }

  private async follow(window: BrowserWindow, input: ContainerWindowWatchInput, signal: AbortSignal) {
    try {
      for await (const update of this.fleet.watch(input.hostId, signal)) {
        this.apply(window, update);
        if (update.kind === 'snapshot' && !window.started) {
          window.started = true;
          this.seedKnown(window, input.known);
          this.flush(window);
        } else {
          this.schedule(window, FLUSH_DELAY_MS);
        }
      }
    } catch (error) {
      if (!signal.aborted) this.log.warn({ err: error }, 'the containers window lost the fleet list');
    }
  }

  private apply(window: BrowserWindow, update: FleetContainersUpdate): void {
    if (update.kind === 'snapshot') {
      window.rows = new Map(update.rows.map((row) => [row.key, row]));
      window.usage = new Map(Object.entries(update.usage));
      window.loadingHosts = update.loadingHosts;
      window.ordered = null;
      window.facetsStale = true;
      return;
    }
    if (update.kind === 'rows') {
      for (const row of update.upserts) this.upsert(window, row);
      for (const key of update.removed) {
        if (!window.rows.delete(key)) continue;
        window.usage.delete(key);
        window.ordered = null;
        window.facetsStale = true;
      }
      if (update.loadingHosts !== undefined) window.loadingHosts = update.loadingHosts;
      return;
    }
    applyUsageDelta(window.usage, update.usage);
    window.usageChanged = true;
  }

  /**
   * A row came or changed. At 25,000 rows, filtering and sorting again (and the filter bar's
   * choices) on every container's state change was most of the server's CPU with a few browsers
   * open: a row that keeps its place replaces the old one in the ordered list.
   */
  private upsert(window: BrowserWindow, row: FleetContainer): void {
    const before = window.rows.get(row.key);
    window.rows.set(row.key, row);
    if (!before || !sameFacetInputs(before, row)) window.facetsStale = true;
    if (!window.ordered) return;
    if (!before || !keepsPlace(before, row, window.view.filters, window.view.sort)) {
      window.ordered = null;
      return;
    }
    const at = window.positions.get(row.key);
    if (at !== undefined) window.ordered[at] = row;
  }

  /** The window's rows filtered and in its order, kept until rows come or go or the view changes. */
  private orderedOf(window: BrowserWindow): FleetContainer[] {
    if (window.ordered) return window.ordered;
    const ordered = orderedRows(window.rows.values(), window.usage, window.view.filters, window.view.sort);
    window.ordered = ordered;
    window.positions = new Map(ordered.map((row, index) => [row.key, index]));
    return ordered;
  }

  /** The browser's first-screen rows that are still as they were count as sent. */
  private seedKnown(window: BrowserWindow, known: Record<string, string>): void {
    for (const [key, fingerprint] of Object.entries(known)) {
      const row = window.rows.get(key);
      if (row && fingerprintOf(row) === fingerprint) window.sent.rows.set(key, row);
    }
  }

  private schedule(window: BrowserWindow, delayMs: number): void {
    if (!window.started) return;
    if (window.timer && delayMs > 0) return;
    if (window.timer) clearTimeout(window.timer);
    window.timer = setTimeout(() => {
      window.timer = null;
      this.flush(window);
    }, delayMs);
  }

  private flush(window: BrowserWindow): void {
    const { view } = window;
    if (window.usageChanged && view.sort && USAGE_SORTS.has(view.sort.id)) window.ordered = null;
    window.usageChanged = false;
    const ordered = this.orderedOf(window);
    // A window past the end (the list shrank) shows the list's last rows.
    const span = view.end - view.start;
    const start = Math.max(0, Math.min(view.start, ordered.length - span));
    const delta = windowDelta(window.sent, ordered.slice(start, start + span), window.usage);
    let facets: ContainerFacets | undefined;
    if (window.facetsStale) {
      window.facetsStale = false;
      const now = facetsOf(window.rows.values());
      window.hosts = now.hosts.length;
      if (!sameFacets(window.facets, now)) facets = window.facets = now;
    }
    const counts = {
      seq: view.seq,
      total: window.rows.size,
      matching: ordered.length,
      hosts: window.hosts,
      loadingHosts: window.loadingHosts,
      start,
    };
    const countsKey = JSON.stringify(counts);
    const empty = !delta.keys && delta.rows.length === 0 && Object.keys(delta.usage).length === 0 && !facets;
    if (empty && countsKey === window.sentCounts) return;
    window.sentCounts = countsKey;
    window.push({ ...counts, ...delta, ...(facets ? { facets } : {}) });
  }
}
