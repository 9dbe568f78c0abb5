'use client';

import type { FleetEvent, FleetEventFilter } from '@stevedore/shared';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useMemo, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { DataTable, rowClass } from './data-table';
import { ErrorNote, SecondaryButton } from './ui';

const LIVE_KEEP = 500;

/**
 * Events across the fleet, newest first: the stored history for the filter, with live events
 * prepended as the hub receives them. Give it a `key` per filter so a new filter starts afresh.
 */
export function EventFeed({ filter }: { filter: FleetEventFilter }) {
  const trpc = useTRPC();
  const [live, setLive] = useState<FleetEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const history = useInfiniteQuery(
    trpc.events.list.infiniteQueryOptions(
      { ...filter, limit: 100 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, staleTime: Number.POSITIVE_INFINITY },
    ),
  );
  const subscription = useSubscription(
    trpc.events.watch.subscriptionOptions(filter, {
      enabled: !paused,
      onData: (event) => setLive((previous) => [event, ...previous].slice(0, LIVE_KEEP)),
    }),
  );
  const events = useMemo(() => {
    const seen = new Set(live.map((event) => event.id));
    const stored = (history.data?.pages ?? []).flatMap((page) => page.events).filter((e) => !seen.has(e.id));
    return [...live, ...stored];
  }, [live, history.data]);

  return (
    <div className="space-y-2">
      <div className="flex items-center gap-3 text-sm">
        <span
          data-testid="feed-state"
          className={
            subscription.status === 'pending' && !paused
              ? 'text-emerald-700 dark:text-emerald-400'
              : 'text-slate-500'
          }
        >
          {paused ? 'paused' : subscription.status === 'pending' ? '● live' : subscription.status}
        </span>
        <SecondaryButton className="px-2 py-1 text-xs" onClick={() => setPaused((p) => !p)}>
          {paused ? 'Resume live' : 'Pause live'}
        </SecondaryButton>
      </div>
      {(history.error ?? subscription.error) && (
        <ErrorNote>{(history.error ?? subscription.error)?.message}</ErrorNote>
      )}
      <DataTable columns={['Time', 'Host', 'Type', 'Action', 'Actor', 'Attributes']}>
        {history.isPending && (
          <tr>
            <td colSpan={6} className="px-4 py-6 text-slate-500">
              Loading…
            </td>
          </tr>
        )}
        {history.isSuccess && events.length === 0 && (
          <tr>
            <td colSpan={6} className="px-4 py-6 text-slate-500">
              No events match.
            </td>
          </tr>
        )}
        {events.map((event) => (
          <tr key={event.id} data-testid="event-row" className={`${rowClass} align-top`}>
            <td className="px-4 py-2 font-mono text-xs whitespace-nowrap" title={event.at}>
              {new Date(event.at).toLocaleTimeString()}
            </td>
            <td className="px-4 py-2">{event.hostName}</td>
            <td className="px-4 py-2">{event.type}</td>
            <td className="px-4 py-2 font-medium">{event.action}</td>
            <td className="px-4 py-2 font-mono text-xs">{event.actorName ?? event.actorId.slice(0, 12)}</td>
            <td className="max-w-80 truncate px-4 py-2 font-mono text-xs text-slate-500">
              {Object.entries(event.attributes)
                .filter(([key]) => key !== 'name')
                .map(([key, value]) => `${key}=${value}`)
                .join(' ')}
            </td>
          </tr>
        ))}
      </DataTable>
      {history.hasNextPage && (
        <SecondaryButton onClick={() => history.fetchNextPage()} disabled={history.isFetchingNextPage}>
          {history.isFetchingNextPage ? 'Loading…' : 'Older events'}
        </SecondaryButton>
      )}
    </div>
  );
}
