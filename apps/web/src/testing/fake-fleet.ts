import type { FleetContainer, FleetContainersUpdate, FleetContainerUsage } from '@stevedore/shared';
import type { FleetWatchSource } from '../server/services/container-first-screen';
import { listen } from '../server/util/listen';

/** A stand-in for the fleet service in unit tests: a snapshot on each watch, then what is pushed. */
export class FakeFleet implements FleetWatchSource {
  rows: FleetContainer[] = [];
  usage: Record<string, FleetContainerUsage> = {};
  loadingHosts = 0;
  readonly pushes = new Set<(update: FleetContainersUpdate) => void>();
  watches = 0;

  watch(_hostId: string | undefined, signal: AbortSignal | undefined) {
    this.watches++;
    return listen<FleetContainersUpdate>(
      (push) => {
        this.pushes.add(push);
        return () => this.pushes.delete(push);
      },
      signal,
      () => [
        { kind: 'snapshot', rows: [...this.rows], usage: { ...this.usage }, loadingHosts: this.loadingHosts },
      ],
    );
  }

  push(update: FleetContainersUpdate): void {
    for (const push of this.pushes) push(update);
  }
}
