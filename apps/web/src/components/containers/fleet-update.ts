import type { FleetContainer, FleetContainersUpdate, FleetContainerUsage } from '@stevedore/shared';
import { applyUsageDelta } from '@stevedore/shared';

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
  applyUsageDelta(usage, update.usage);
}
