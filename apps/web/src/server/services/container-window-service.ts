import type {
  ContainerFacets,
  ContainerMatchingInput,
  ContainerWindowMoveInput,
  ContainerWindowUpdate,
  ContainerWindowView,
  ContainerWindowWatchInput,
  FleetContainer,
  FleetFirstScreen,
} from '@stevedore/shared';
import { NO_CONTAINER_FILTERS } from '@stevedore/shared';
import type { Logger } from 'pino';
import { listen } from '../util/listen';
import { type FleetListSource, readFirstScreen, untilLoaded, usageOf } from './container-first-screen';
import type { FleetChange } from './container-fleet-service';
import {
  emptySent,
  fingerprintOf,
  keepsPlace,
  matchesFilters,
  orderedRows,
  type SentWindow,
  sameFacets,
  type UsageLookup,
  windowDelta,
} from './container-window';

/** Coalesces the fleet's updates (a host's rows, the 1 s usage tick, a scroll) into one send. */
const FLUSH_DELAY_MS = 30;
/**
 * While hosts' first lists come in (a cold list: 500 hosts answer within a second or two), each
 * send makes the list and its filter choices again: ten a second show the count climbing at a
 * tenth of the cost.
 */
const LOADING_FLUSH_DELAY_MS = 100;
/** A move that came before its window's subscription is kept this long for it. */
const EARLY_MOVE_MS = 30_000;

interface BrowserWindow {
  userId: string;
  /** The host the window's list is of (undefined: every host). */
  hostId: string | undefined;
  view: ContainerWindowView;
  /**
   * The window's own rows, filtered and sorted, for a view with filters or a sort; null when they
   * must be made again (rows came or went, the view changed). A view without either reads the
   * fleet's rows, already in the list's own order: no copy per window.
   */
  ordered: FleetContainer[] | null;
  /** Each of `ordered`'s rows' index by key. */
  positions: Map<string, number>;
  /** Usage changed since the last send (re-sorts a list sorted by a usage figure). */
  usageChanged: boolean;
  /** The filter bar's choices as last sent, and the fleet's object they were read from. */
  facets: ContainerFacets | null;
  facetsFrom: ContainerFacets | null;
  sent: SentWindow;
  /** The counts last sent: an update with nothing new is not sent. */
  sentCounts: string;
  started: boolean;
  timer: NodeJS.Timeout | null;
  push(update: ContainerWindowUpdate): void;
}

const USAGE_SORTS = new Set(['cpu', 'memory', 'network']);

const ownOrder = (view: ContainerWindowView) =>
  view.sort === null &&
  (Object.keys(NO_CONTAINER_FILTERS) as (keyof ContainerWindowView['filters'])[]).every(
    (key) => view.filters[key] === '',
  );

/**
 * The containers list's windows: each browser's subscription follows the fleet's list (the fleet
 * service's rows, in the list's order, read where they are) and gets only the rows of its window, in
 * its filters' and sort's order, as deltas against what it was sent. The browser moves its window
 * (scrolling, a new filter or sort) with `move`; the same subscription goes on.
 */
export class ContainerWindowService {
  private readonly windows = new Map<string, BrowserWindow>();
  private readonly earlyMoves = new Map<string, { userId: string; view: ContainerWindowView; at: number }>();
  private readonly usage: UsageLookup;

  constructor(
    private readonly fleet: FleetListSource,
    private readonly log: Logger,
  ) {
    this.usage = usageOf(fleet);
  }

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
        ordered: null,
        positions: new Map(),
        usageChanged: false,
        facets: null,
        facetsFrom: null,
        sent: emptySent(),
        sentCounts: '',
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
    ) {
      window.ordered = null;
      window.positions = new Map();
    }
    this.schedule(window, 0);
    return { moved: true };
  }

  /** The list's first rows for a server-rendered page (the fleet's rows: nothing is copied or sorted). */
  firstScreen(hostId: string | undefined, limit: number, waitMs?: number): Promise<FleetFirstScreen> {
    return readFirstScreen(this.fleet, hostId, limit, waitMs);
  }

  /** Every row the filters match, of the hosts `mayOperate` allows, and not offline. */
  async matching(
    input: ContainerMatchingInput,
    mayOperate: (hostId: string) => boolean,
  ): Promise<FleetContainer[]> {
    await untilLoaded(this.fleet, input.hostId, 0);
    return this.fleet
      .rows(input.hostId)
      .filter((row) => !row.hostOffline && mayOperate(row.hostId) && matchesFilters(row, input.filters));
  }

  private async follow(window: BrowserWindow, input: ContainerWindowWatchInput, signal: AbortSignal) {
    try {
      for await (const change of this.fleet.changes(input.hostId, signal)) {
        if (change.kind === 'ready') {
          window.started = true;
          this.seedKnown(window, input.known);
          this.flush(window);
          continue;
        }
        this.apply(window, change);
        this.schedule(
          window,
          this.fleet.loadingHosts(window.hostId) > 0 ? LOADING_FLUSH_DELAY_MS : FLUSH_DELAY_MS,
        );
      }
    } catch (error) {
      if (!signal.aborted) this.log.warn({ err: error }, 'the containers window lost the fleet list');
    }
  }

  private apply(window: BrowserWindow, change: Exclude<FleetChange, { kind: 'ready' }>): void {
    if (change.kind === 'usage') {
      window.usageChanged = true;
      return;
    }
    if (!window.ordered) return;
    if (change.removed.length > 0) {
      window.ordered = null;
      return;
    }
    for (const row of change.upserts) this.upsert(window, row);
  }

  /**
   * A row came or changed, for a window with its own filtered or sorted rows. At 25,000 rows,
   * filtering and sorting again on every container's state change was most of the server's CPU
   * with a few browsers open: a row that keeps its place replaces the old one where it was.
   */
  private upsert(window: BrowserWindow, row: FleetContainer): void {
    const ordered = window.ordered;
    if (!ordered) return;
    const at = window.positions.get(row.key);
    if (at === undefined) {
      // Not shown before: it stays out unless it matches now (a new row, or one the filters take now).
      if (matchesFilters(row, window.view.filters)) window.ordered = null;
      return;
    }
    const before = ordered[at] as FleetContainer;
    if (keepsPlace(before, row, window.view.filters, window.view.sort)) ordered[at] = row;
    else window.ordered = null;
  }

  /** The window's rows filtered and in its order. */
  private orderedOf(window: BrowserWindow): readonly FleetContainer[] {
    const rows = this.fleet.rows(window.hostId);
    if (ownOrder(window.view)) return rows;
    if (window.ordered) return window.ordered;
    const ordered = orderedRows(rows, this.usage, window.view.filters, window.view.sort);
    window.ordered = ordered;
    window.positions = new Map(ordered.map((row, index) => [row.key, index]));
    return ordered;
  }

  /** The browser's first-screen rows that are still as they were count as sent. */
  private seedKnown(window: BrowserWindow, known: Record<string, string>): void {
    const wanted = new Set(Object.keys(known));
    if (wanted.size === 0) return;
    for (const row of this.fleet.rows(window.hostId)) {
      if (!wanted.has(row.key)) continue;
      if (fingerprintOf(row) === known[row.key]) window.sent.rows.set(row.key, row);
      wanted.delete(row.key);
      if (wanted.size === 0) return;
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
    const delta = windowDelta(window.sent, ordered.slice(start, start + span), this.usage);
    let facets: ContainerFacets | undefined;
    const now = this.fleet.facets(window.hostId);
    if (now !== window.facetsFrom) {
      window.facetsFrom = now;
      if (!sameFacets(window.facets, now)) facets = window.facets = now;
    }
    const counts = {
      seq: view.seq,
      total: this.fleet.rows(window.hostId).length,
      matching: ordered.length,
      hosts: now.hosts.length,
      loadingHosts: this.fleet.loadingHosts(window.hostId),
      start,
    };
    const countsKey = JSON.stringify(counts);
    const empty = !delta.keys && delta.rows.length === 0 && Object.keys(delta.usage).length === 0 && !facets;
    if (empty && countsKey === window.sentCounts) return;
    window.sentCounts = countsKey;
    window.push({ ...counts, ...delta, ...(facets ? { facets } : {}) });
  }
}
