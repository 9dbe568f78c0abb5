'use client';

import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '~/trpc/react';

/** Events arriving together (a connect is connect then start) refetch once, this long after the first. */
const DEFAULT_SETTLE_MS = 200;

/**
 * Marks `keys` stale when the host's engine reports an event of one of `types` (a network made on
 * the CLI, a container that started), so the tab shows what is there without polling. Events within
 * `settleMs` of the first refetch once.
 */
export function useEngineRefresh(
  hostId: string,
  types: readonly string[],
  keys: readonly QueryKey[],
  settleMs = DEFAULT_SETTLE_MS,
): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ types, keys });
  latest.current = { types, keys };
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  useSubscription(
    trpc.events.watch.subscriptionOptions(
      { hostId },
      {
        onData: (event) => {
          if (!latest.current.types.includes(event.type) || timer.current) return;
          timer.current = setTimeout(() => {
            timer.current = null;
            for (const queryKey of latest.current.keys) void queryClient.invalidateQueries({ queryKey });
          }, settleMs);
        },
      },
    ),
  );
}
