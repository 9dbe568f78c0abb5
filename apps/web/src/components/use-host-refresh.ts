'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '~/trpc/react';

/** Events arriving together (a stop is kill, die, stop) refetch once, this long after the first. */
const SETTLE_MS = 150;

/**
 * Keeps a host's system information (container and image counts) and its images list current:
 * the host's engine events, pushed live, mark them stale the moment something changes on it.
 */
export function useHostRefresh(hostId: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pending = useRef<{ info: boolean; images: boolean; timer: ReturnType<typeof setTimeout> | null }>({
    info: false,
    images: false,
    timer: null,
  });
  useEffect(
    () => () => {
      if (pending.current.timer) clearTimeout(pending.current.timer);
    },
    [],
  );
  useSubscription(
    trpc.events.watch.subscriptionOptions(
      { hostId },
      {
        onData: (event) => {
          const due = pending.current;
          if (event.type === 'container' || event.type === 'image') due.info = true;
          if (event.type === 'image') due.images = true;
          if (!(due.info || due.images) || due.timer) return;
          due.timer = setTimeout(() => {
            if (due.info)
              void queryClient.invalidateQueries({ queryKey: trpc.hosts.info.queryKey({ hostId }) });
            if (due.images)
              void queryClient.invalidateQueries({ queryKey: trpc.hosts.images.queryKey({ hostId }) });
            due.info = false;
            due.images = false;
            due.timer = null;
          }, SETTLE_MS);
        },
      },
    ),
  );
}
