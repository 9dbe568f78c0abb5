'use client';

import type { FleetContainersUpdate, FleetFirstScreen } from '@stevedore/shared';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { seedFleetMaps } from './fleet-first-screen';
import { applyFleetUpdate, type ContainerListRow } from './fleet-update';

export type { ContainerListRow };

/**
 * The live containers list (of one host, or of the fleet): a snapshot, then the server's deltas
 * applied in place. Row objects are rebuilt only when rows change; their `usage` reads the live
 * figures, so a usage tick re-renders the visible rows without rebuilding the table's row model.
 * Updates are rendered at most once per animation frame: while a fleet loads, each host's first
 * rows arrive as their own update (500 hosts: 500 updates), and rebuilding 25,000 rows for each kept
 * the main thread busy for seconds.
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
  const pending = useRef<{
    rows: boolean;
    usage: boolean;
    live: boolean;
    loadingHosts: number | null;
    frame: number | null;
  }>({
    rows: false,
    usage: false,
    live: false,
    loadingHosts: null,
    frame: null,
  });
  useEffect(
    () => () => {
      if (pending.current.frame !== null) cancelAnimationFrame(pending.current.frame);
    },
    [],
  );
  const subscription = useSubscription(
    trpc.containers.fleet.watch.subscriptionOptions(hostId ? { hostId } : {}, {
      onData: (update: FleetContainersUpdate) => {
        applyFleetUpdate(rows.current, usage.current, update);
        const next = pending.current;
        // Live once the snapshot's rows are on screen (the same frame), not before.
        if (update.kind === 'snapshot') next.live = true;
        if (update.kind === 'usage') next.usage = true;
        else next.rows = true;
        if (update.kind !== 'usage' && update.loadingHosts !== undefined)
          next.loadingHosts = update.loadingHosts;
        next.frame ??= requestAnimationFrame(() => {
          next.frame = null;
          if (next.rows) setRowsVersion((v) => v + 1);
          if (next.usage) setUsageVersion((v) => v + 1);
          if (next.loadingHosts !== null) setLoadingHosts(next.loadingHosts);
          if (next.live) setLive(true);
          next.rows = false;
          next.usage = false;
          next.loadingHosts = null;
        });
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
