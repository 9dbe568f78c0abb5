import type { FleetContainer, FleetContainersUpdate, FleetContainerUsage } from '@stevedore/shared';

export interface ContainerListRow extends FleetContainer {
  usage: FleetContainerUsage | null;
}

/** Applies one pushed update (snapshot, row changes or a usage delta) to the kept rows and usage, in place. */
export function applyFleetUpdate(
  rows: Map<string, FleetContainer>,
  usage: Map<string, FleetContainerUsage>,
  update: FleetContainersUpdate,
): void {
  if (update.kind === 'snapshot') {
    rows.clear();
    usage.clear();
    for (const row of update.rows) rows.set(row.key, row);
    for (const [key, value] of Object.entries(update.usage)) usage.set(key, value);
    return;
  }
  if (update.kind === 'rows') {
    for (const row of update.upserts) rows.set(row.key, row);
    for (const key of update.removed) {
      rows.delete(key);
      usage.delete(key);
    }
    return;
  }
  for (const [key, change] of Object.entries(update.usage)) {
    if (change === null) {
      usage.delete(key);
      continue;
    }
    const old = usage.get(key);
    const merged = { ...old, ...change };
    // A partial change for a row whose full usage this tab never had is dropped; the next full one fills it.
    if (
      merged.cpuPercent !== undefined &&
      merged.memoryUsage !== undefined &&
      merged.memoryLimit !== undefined &&
      merged.rxRate !== undefined &&
      merged.txRate !== undefined
    )
      usage.set(key, merged as FleetContainerUsage);
  }
}
