import type { FleetContainer } from '@stevedore/shared';

/** A running busybox row of the fleet list for unit tests; `key` and `hostName` follow the host id. */
export function fleetContainer(
  hostId: string,
  name: string,
  extra: Partial<FleetContainer> = {},
): FleetContainer {
  return {
    key: `${hostId}/${name}`,
    hostId,
    hostName: hostId,
    hostAddress: null,
    id: name,
    name,
    image: 'busybox',
    state: 'running',
    health: null,
    status: 'Up',
    created: 0,
    startedAt: null,
    ports: [],
    labels: {},
    ...extra,
  };
}
