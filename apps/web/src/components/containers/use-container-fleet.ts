'use client';

import type { FleetContainersUpdate, FleetFirstScreen } from '@stevedore/shared';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useMemo, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { seedFleetMaps } from './fleet-first-screen';
import { applyFleetUpdate, type ContainerListRow } from './fleet-update';

export type { ContainerListRow };

/**
 * The live containers list (of one host, or of the fleet): a snapshot, then the server's deltas
 * applied in place. Row objects are rebuilt only when rows change; their `usage` reads the live
 * figures, so a usage tick re-renders the visible rows without rebuilding the table's row model.
 * With `first` (the server's first screen, already in the HTML) it starts from those rows; the
 * subscription's snapshot then replaces them with the whole list, the same rows first.
 */
export function useContainerFleet(
  hostId?: string,
  first?: FleetFirstScreen | null,
): {
  rows: ContainerListRow[] | null;
  /** Bumped once per usage tick (once a second). */
  usageVersion: number;
  /** Hosts whose containers have not come yet (their rows appear as they do). */
  loadingHosts: number;
  error: string | null;
  /** The live snapshot has come (until then the rows are the server's first screen, or none). */
  live: boolean;
} {
  const trpc = useTRPC();
  const [seed] = useState(() => seedFleetMaps(first));
  const rows = useRef(seed.rows);
  const usage = useRef(seed.usage);
  const [rowsVersion, setRowsVersion] = useState(first ? 0 : -1);
  const [usageVersion, setUsageVersion] = useState(0);
  const [loadingHosts, setLoadingHosts] = useState(first?.loadingHosts ?? 0);
  const [live, setLive] = useState(false);
  const subscription = useSubscription(
    trpc.containers.fleet.watch.subscriptionOptions(hostId ? { hostId } : {}, {
      onData: (update: FleetContainersUpdate) => {
        applyFleetUpdate(rows.current, usage.current, update);
        if (update.kind === 'snapshot') setLive(true);
        if (update.kind === 'usage') setUsageVersion((v) => v + 1);
        else setRowsVersion((v) => v + 1);
        if (update.kind !== 'usage' && update.loadingHosts !== undefined)
          setLoadingHosts(update.loadingHosts);
      },
    }),
  );
  const list = useMemo(() => {
    if (rowsVersion < 0) return null;
    const live = usage.current;
    const out: ContainerListRow[] = [];
    for (const row of rows.current.values()) {
      out.push(
        Object.defineProperty({ ...row }, 'usage', {
          get: () => live.get(row.key) ?? null,
          enumerable: true,
        }) as ContainerListRow,
      );
    }
    return out;
  }, [rowsVersion]);
  return { rows: list, usageVersion, loadingHosts, error: subscription.error?.message ?? null, live };
}
