import {
  applyUsageDelta,
  type ContainerFacets,
  type FleetContainer,
  type FleetContainerUsage,
  type FleetUsageDelta,
} from '@stevedore/shared';
import type { FleetListSource } from '../server/services/container-first-screen';
import { FleetOrder, hostRowsOf } from '../server/services/container-fleet-order';
import type { FleetChange } from '../server/services/container-fleet-service';
import type { FleetRowsChange } from '../server/services/container-fleet-watchers';
import { listen } from '../server/util/listen';

/**
 * A stand-in for the fleet service in unit tests: rows and usage set by the test, kept in the list's
 * order as the service keeps them; a change pushed is applied first, then told to the followers.
 */
export class FakeFleet implements FleetListSource {
  private readonly byKey = new Map<string, FleetContainer>();
  private readonly order = new FleetOrder();
  private readonly usageByKey = new Map<string, FleetContainerUsage>();
  loading = 0;
  readonly pushes = new Set<(change: FleetChange) => void>();
  /** How many followers came (a page render, a window, a `matching` call). */
  follows = 0;

  setRows(rows: readonly FleetContainer[]): void {
    this.byKey.clear();
    for (const row of rows) this.byKey.set(row.key, row);
    this.reorder();
  }

  setUsage(usage: Record<string, FleetContainerUsage>): void {
    this.usageByKey.clear();
    for (const [key, value] of Object.entries(usage)) this.usageByKey.set(key, value);
  }

  changes(_hostId: string | undefined, signal: AbortSignal | undefined): AsyncGenerator<FleetChange> {
    this.follows++;
    return listen<FleetChange>(
      (push) => {
        this.pushes.add(push);
        return () => this.pushes.delete(push);
      },
      signal,
      () => [{ kind: 'ready' }],
    );
  }

  rows(hostId: string | undefined): readonly FleetContainer[] {
    return this.order.rows(hostId);
  }

  facets(hostId: string | undefined): ContainerFacets {
    return this.order.facets(hostId);
  }

  usage(key: string): FleetContainerUsage | undefined {
    return this.usageByKey.get(key);
  }

  loadingHosts(): number {
    return this.loading;
  }

  /** Rows, or usage figures (the followers are told only that usage changed, as the service tells them). */
  push(change: FleetRowsChange | { kind: 'usage'; usage: FleetUsageDelta }): void {
    if (change.kind === 'usage') {
      applyUsageDelta(this.usageByKey, change.usage);
      for (const push of this.pushes) push({ kind: 'usage' });
      return;
    }
    for (const row of change.upserts) this.byKey.set(row.key, row);
    for (const key of change.removed) this.byKey.delete(key);
    if (change.loadingHosts !== undefined) this.loading = change.loadingHosts;
    this.reorder();
    for (const push of this.pushes) push(change);
  }

  private reorder(): void {
    const byHost = new Map<string, FleetContainer[]>();
    for (const row of this.byKey.values()) byHost.set(row.hostId, [...(byHost.get(row.hostId) ?? []), row]);
    this.order.clear();
    for (const [hostId, rows] of byHost)
      this.order.set(hostRowsOf(hostId, rows[0]?.hostName ?? hostId, rows));
  }
}
