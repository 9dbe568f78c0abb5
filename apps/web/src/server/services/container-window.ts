import { createHash } from 'node:crypto';
import type {
  ContainerFacets,
  ContainerFilters,
  ContainerSort,
  FleetContainer,
  FleetContainerUsage,
  FleetUsageDelta,
} from '@stevedore/shared';
import { collator } from './container-fleet-order';

/**
 * The containers list's filtering, sorting and windowing, done on the server (pure: unit-tested).
 * The browser shows what these give; it never holds more than its window.
 */

export function matchesFilters(row: FleetContainer, filters: ContainerFilters): boolean {
  if (filters.hostId && row.hostId !== filters.hostId) return false;
  if (filters.state && row.state !== filters.state) return false;
  if (filters.image && row.image !== filters.image) return false;
  if (filters.health && (row.health ?? 'none') !== filters.health) return false;
  if (filters.label) {
    const [key = '', ...rest] = filters.label.split('=');
    const value = rest.join('=');
    const actual = row.labels[key.trim()];
    if (actual === undefined || (rest.length > 0 && actual !== value.trim())) return false;
  }
  const text = filters.text.trim().toLowerCase();
  if (!text) return true;
  return (
    row.name.toLowerCase().includes(text) ||
    row.image.toLowerCase().includes(text) ||
    row.hostName.toLowerCase().includes(text) ||
    row.id.startsWith(text) ||
    Object.entries(row.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(text))
  );
}

/** A sortable number of a row by column; -1 (or -∞) sorts rows without the figure last when descending. */
function figureOf(
  id: ContainerSort['id'],
  row: FleetContainer,
  usage: FleetContainerUsage | undefined,
): number {
  switch (id) {
    case 'uptime':
      // Minus the start time: ascending is the longest-running first, clock-independent.
      return (row.state === 'running' || row.state === 'paused') && row.startedAt
        ? -Date.parse(row.startedAt)
        : Number.NEGATIVE_INFINITY;
    case 'ports':
      return row.ports[0]?.publicPort ?? 0;
    case 'cpu':
      return usage?.cpuPercent ?? -1;
    case 'memory':
      return usage?.memoryUsage ?? -1;
    case 'network':
      return usage ? usage.rxRate + usage.txRate : -1;
    default:
      return 0;
  }
}

const textOf: Partial<Record<ContainerSort['id'], (row: FleetContainer) => string>> = {
  host: (row) => row.hostName,
  name: (row) => row.name,
  image: (row) => row.image,
  state: (row) => row.state,
};

/** Usage by row key (the fleet service's, or a map of it). */
export interface UsageLookup {
  get(key: string): FleetContainerUsage | undefined;
}

/**
 * The filtered rows in the view's order, from rows already in the list's own order (the fleet
 * service keeps them so). A sort by a column is stable: rows with the same value keep that order.
 */
export function orderedRows(
  rows: Iterable<FleetContainer>,
  usage: UsageLookup,
  filters: ContainerFilters,
  sort: ContainerSort | null,
): FleetContainer[] {
  const out: FleetContainer[] = [];
  for (const row of rows) if (matchesFilters(row, filters)) out.push(row);
  if (!sort) return out;
  const sign = sort.desc ? -1 : 1;
  const text = textOf[sort.id];
  if (text) return out.sort((a, b) => sign * collator.compare(text(a), text(b)));
  const figures = new Map<FleetContainer, number>();
  for (const row of out) figures.set(row, figureOf(sort.id, row, usage.get(row.key)));
  return out.sort((a, b) => {
    const x = figures.get(a) ?? 0;
    const y = figures.get(b) ?? 0;
    return x === y ? 0 : sign * (x < y ? -1 : 1);
  });
}

/**
 * Whether a changed row keeps its place in the view's order and its match of the filters, so the
 * ordered list can take it where the old one was (a state or status change: the common update)
 * rather than be filtered and sorted again. Usage figures are not the row's: sorts by them are
 * redone on each usage tick anyway.
 */
export function keepsPlace(
  before: FleetContainer,
  after: FleetContainer,
  filters: ContainerFilters,
  sort: ContainerSort | null,
): boolean {
  if (before.hostName !== after.hostName || before.name !== after.name) return false;
  if (matchesFilters(before, filters) !== matchesFilters(after, filters)) return false;
  if (!sort) return true;
  const text = textOf[sort.id];
  if (text) return text(before) === text(after);
  return figureOf(sort.id, before, undefined) === figureOf(sort.id, after, undefined);
}

export function sameFacets(a: ContainerFacets | null, b: ContainerFacets): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}

/** A short digest of a row as the browser shows it (the status text aside: it changes every second). */
export function fingerprintOf(row: FleetContainer): string {
  return createHash('sha1')
    .update(JSON.stringify({ ...row, status: '' }))
    .digest('base64url')
    .slice(0, 16);
}

/** What one browser window has been sent: its keys in order, each row and usage as sent. */
export interface SentWindow {
  keys: string[];
  rows: Map<string, FleetContainer>;
  usage: Map<string, FleetContainerUsage>;
}

export function emptySent(): SentWindow {
  return { keys: [], rows: new Map(), usage: new Map() };
}

/**
 * The change from what was sent to the window `rows` shows now: its keys when they differ, the rows
 * the browser lacks (by identity: the fleet keeps a row's object while it is unchanged), and the
 * usage changes of the window's rows. Updates `sent` to match.
 */
export function windowDelta(
  sent: SentWindow,
  rows: readonly FleetContainer[],
  usage: UsageLookup,
): { keys?: string[]; rows: FleetContainer[]; usage: FleetUsageDelta } {
  const keys = rows.map((row) => row.key);
  const keysChanged = keys.length !== sent.keys.length || keys.some((key, i) => key !== sent.keys[i]);
  const changedRows: FleetContainer[] = [];
  const usageDelta: FleetUsageDelta = {};
  const inWindow = new Set(keys);
  for (const key of sent.rows.keys()) if (!inWindow.has(key)) sent.rows.delete(key);
  for (const key of sent.usage.keys()) if (!inWindow.has(key)) sent.usage.delete(key);
  for (const row of rows) {
    if (sent.rows.get(row.key) !== row) {
      changedRows.push(row);
      sent.rows.set(row.key, row);
    }
    const now = usage.get(row.key);
    const before = sent.usage.get(row.key);
    if (now === before) continue;
    if (!now) {
      usageDelta[row.key] = null;
      sent.usage.delete(row.key);
      continue;
    }
    sent.usage.set(row.key, now);
    if (!before) {
      usageDelta[row.key] = now;
      continue;
    }
    const change: Partial<FleetContainerUsage> = {};
    let any = false;
    for (const field of Object.keys(now) as (keyof FleetContainerUsage)[]) {
      if (now[field] !== before[field]) {
        change[field] = now[field];
        any = true;
      }
    }
    if (any) usageDelta[row.key] = change;
  }
  sent.keys = keys;
  return keysChanged
    ? { keys, rows: changedRows, usage: usageDelta }
    : { rows: changedRows, usage: usageDelta };
}
