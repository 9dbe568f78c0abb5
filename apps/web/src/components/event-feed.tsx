'use client';

import type { FleetEvent, FleetEventFilter } from '@stevedore/shared';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useMemo, useRef, useState } from 'react';
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
  const [paused, setPausedState] = useState(false);
  // While paused the subscription stays open: new events wait here (the newest LIVE_KEEP) and are
  // shown on resume; `arrived` counts them all, so an overflow is known and fetched from history.
  const pausedRef = useRef(false);
  const [held, setHeld] = useState<{ events: FleetEvent[]; arrived: number }>({ events: [], arrived: 0 });
  const history = useInfiniteQuery(
    trpc.events.list.infiniteQueryOptions(
      { ...filter, limit: 100 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, staleTime: Number.POSITIVE_INFINITY },
    ),
  );
  const subscription = useSubscription(
    trpc.events.watch.subscriptionOptions(filter, {
      onData: (event) => {
        if (pausedRef.current)
          setHeld((h) => ({ events: [event, ...h.events].slice(0, LIVE_KEEP), arrived: h.arrived + 1 }));
        else setLive((previous) => [event, ...previous].slice(0, LIVE_KEEP));
      },
    }),
  );
  const setPaused = (pause: boolean) => {
    pausedRef.current = pause;
    setPausedState(pause);
    if (pause) return;
    setLive((previous) => [...held.events, ...previous].slice(0, LIVE_KEEP));
    // More arrived than were kept: the rest are in the stored history.
    if (held.arrived > held.events.length) void history.refetch();
    setHeld({ events: [], arrived: 0 });
  };
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
        <SecondaryButton className="px-2 py-1 text-xs" onClick={() => setPaused(!paused)}>
          {paused ? 'Resume live' : 'Pause live'}
        </SecondaryButton>
        {paused && held.arrived > 0 && (
          <button
            type="button"
            data-testid="feed-new"
            onClick={() => setPaused(false)}
            className="rounded-full bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-800 hover:bg-sky-200 dark:bg-sky-950 dark:text-sky-200"
          >
            {held.arrived} new
          </button>
        )}
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
