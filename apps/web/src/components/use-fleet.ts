'use client';

import type { FleetHost, FleetUpdate } from '@stevedore/shared';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';

/** The fleet overview, pushed by the server: the whole fleet once, then only the rows that change. */
export function useFleet(): { hosts: FleetHost[] | null; error: string | null } {
  const trpc = useTRPC();
  const [hosts, setHosts] = useState<Map<string, FleetHost> | null>(null);
  const subscription = useSubscription(
    trpc.hosts.watchFleet.subscriptionOptions(undefined, {
      onData: (update: FleetUpdate) =>
        setHosts((previous) => {
          if (update.kind === 'snapshot') return new Map(update.hosts.map((host) => [host.id, host]));
          const next = new Map(previous ?? []);
          if (update.kind === 'host') next.set(update.host.id, update.host);
          else next.delete(update.hostId);
          return next;
        }),
    }),
  );
  return {
    hosts: hosts ? [...hosts.values()] : null,
    error: subscription.error?.message ?? null,
  };
}
