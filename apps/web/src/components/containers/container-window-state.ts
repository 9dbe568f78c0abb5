import type {
  ContainerFacets,
  ContainerWindowUpdate,
  FleetContainer,
  FleetContainerUsage,
  FleetFirstScreen,
} from '@stevedore/shared';
import { applyUsageDelta, MAX_WINDOW_ROWS } from '@stevedore/shared';

/** What the browser holds of the containers list: its window's rows and usage, and the counts. */
export interface WindowState {
  /** The window's row keys in order, from index `start` of the (filtered, sorted) list. */
  keys: string[];
  start: number;
  rows: Map<string, FleetContainer>;
  usage: Map<string, FleetContainerUsage>;
  total: number;
  matching: number;
  hosts: number;
  loadingHosts: number;
  facets: ContainerFacets;
}

const NO_FACETS: ContainerFacets = { hosts: [], images: [], labels: [] };

/** The state before any update: the server's first screen (already in the HTML), or nothing. */
export function initialWindow(first: FleetFirstScreen | null | undefined): WindowState {
  return {
    keys: first?.rows.map((row) => row.key) ?? [],
    start: 0,
    rows: new Map(first?.rows.map((row) => [row.key, row]) ?? []),
    usage: new Map(Object.entries(first?.usage ?? {})),
    total: first?.total ?? 0,
    matching: first?.total ?? 0,
    hosts: first?.hosts ?? 0,
    loadingHosts: first?.loadingHosts ?? 0,
    facets: first?.facets ?? NO_FACETS,
  };
}

/** Applies one window update in place. Pure but for `state` (unit-tested). */
export function applyWindowUpdate(state: WindowState, update: ContainerWindowUpdate): void {
  if (update.keys) {
    state.keys = update.keys;
    const keep = new Set(update.keys);
    for (const key of state.rows.keys()) if (!keep.has(key)) state.rows.delete(key);
    for (const key of state.usage.keys()) if (!keep.has(key)) state.usage.delete(key);
  }
  for (const row of update.rows) state.rows.set(row.key, row);
  applyUsageDelta(state.usage, update.usage);
  state.start = update.start;
  state.total = update.total;
  state.matching = update.matching;
  state.hosts = update.hosts;
  state.loadingHosts = update.loadingHosts;
  if (update.facets) state.facets = update.facets;
}

/** Rows the window asks for beyond the visible ones, each side (scrolling within them sends nothing). */
export const WINDOW_MARGIN = 40;

/**
 * The window to ask for when `visible` (row indexes [from, to)) is on screen: null while the one
 * asked for still covers it with some margin left, so small scrolls do not move it.
 */
export function nextWindow(
  asked: { start: number; end: number },
  visible: { from: number; to: number },
  matching: number,
): { start: number; end: number } | null {
  const slack = WINDOW_MARGIN / 4;
  const coversTop = visible.from >= asked.start + slack || asked.start === 0;
  const coversBottom = visible.to <= asked.end - slack || asked.end >= matching;
  if (coversTop && coversBottom && visible.from >= asked.start && visible.to <= asked.end) return null;
  const start = Math.max(0, visible.from - WINDOW_MARGIN);
  return { start, end: Math.min(start + MAX_WINDOW_ROWS, Math.max(start, visible.to + WINDOW_MARGIN)) };
}
