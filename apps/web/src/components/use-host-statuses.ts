'use client';

import type { HostStatus } from '@stevedore/shared';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';

/** Live connection state of every host, pushed by the server as it changes. */
export function useHostStatuses(): Record<string, HostStatus> {
  const trpc = useTRPC();
  const [statuses, setStatuses] = useState<Record<string, HostStatus>>({});
  useSubscription(
    trpc.hosts.watchStatus.subscriptionOptions(undefined, {
      onData: (status) => setStatuses((previous) => ({ ...previous, [status.hostId]: status })),
    }),
  );
  return statuses;
}
