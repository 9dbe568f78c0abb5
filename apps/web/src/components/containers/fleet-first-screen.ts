import type { FleetContainer, FleetContainerUsage, FleetFirstScreen } from '@stevedore/shared';

/** What a server-rendered containers list starts from: its first rows and what the user may act on. */
export interface ContainersFirstScreen {
  screen: FleetFirstScreen;
  operable: { all: boolean; hostIds: string[] };
}

/** The live list's kept rows and usage, seeded with the server's first screen (or empty). */
export function seedFleetMaps(first: FleetFirstScreen | null | undefined): {
  rows: Map<string, FleetContainer>;
  usage: Map<string, FleetContainerUsage>;
} {
  const rows = new Map<string, FleetContainer>();
  const usage = new Map<string, FleetContainerUsage>();
  for (const row of first?.rows ?? []) rows.set(row.key, row);
  for (const [key, value] of Object.entries(first?.usage ?? {})) usage.set(key, value);
  return { rows, usage };
}

/**
 * Window size the list is laid out for before the browser measures it (on the server and in the
 * render that hydrates): tall enough for every row of the first screen.
 */
export function firstScreenRect(rowCount: number, rowHeight: number): { width: number; height: number } {
  return { width: 1280, height: Math.max(1, rowCount) * rowHeight };
}
