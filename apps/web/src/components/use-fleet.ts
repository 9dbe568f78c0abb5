'use client';

import type { FleetHost, FleetUpdate } from '@stevedore/shared';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/react';

/**
 * The fleet overview, pushed by the server: the whole fleet once, then only the rows that change.
 * Updates are applied to one kept map and rendered at most once per animation frame: with hundreds
 * of hosts the rows change many times a second, and a render per row change kept the main thread busy.
 * Unchanged rows keep their object, so memoised rows skip re-rendering.
 */
export function useFleet(): { hosts: FleetHost[] | null; error: string | null } {
  const trpc = useTRPC();
  const kept = useRef<Map<string, FleetHost> | null>(null);
  const frame = useRef<number | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );
  const subscription = useSubscription(
    trpc.hosts.watchFleet.subscriptionOptions(undefined, {
      onData: (update: FleetUpdate) => {
        if (update.kind === 'snapshot') kept.current = new Map(update.hosts.map((host) => [host.id, host]));
        else if (kept.current) {
          if (update.kind === 'host') kept.current.set(update.host.id, update.host);
          else if (update.kind === 'removed') kept.current.delete(update.hostId);
          else
            for (const [hostId, usage] of Object.entries(update.usage)) {
              const host = kept.current.get(hostId);
              if (host) kept.current.set(hostId, { ...host, usage });
            }
        }
        frame.current ??= requestAnimationFrame(() => {
          frame.current = null;
          setVersion((v) => v + 1);
        });
      },
    }),
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` marks a change to the kept map
  const hosts = useMemo(() => (kept.current ? [...kept.current.values()] : null), [version]);
  return { hosts, error: subscription.error?.message ?? null };
}
