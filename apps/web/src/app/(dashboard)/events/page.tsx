'use client';

import { EngineEventSchema, type FleetEventFilter } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { EventFeed } from '~/components/event-feed';
import { useTRPC } from '~/trpc/react';

const inputClass =
  'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900';
const types = EngineEventSchema.shape.Type.options;

export default function EventsPage() {
  const trpc = useTRPC();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const [filter, setFilter] = useState<FleetEventFilter>({});
  const applied = useDebounced(filter, 300);
  const set = (key: keyof FleetEventFilter, value: string) =>
    setFilter(({ [key]: _, ...rest }) => (value.trim() ? { ...rest, [key]: value.trim() } : rest));

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="mr-auto text-2xl font-semibold">Events</h1>
        <select aria-label="Host" className={inputClass} onChange={(e) => set('hostId', e.target.value)}>
          <option value="">All hosts</option>
          {hosts.data?.map((host) => (
            <option key={host.id} value={host.id}>
              {host.name}
            </option>
          ))}
        </select>
        <select aria-label="Type" className={inputClass} onChange={(e) => set('type', e.target.value)}>
          <option value="">All types</option>
          {types.map((type) => (
            <option key={type}>{type}</option>
          ))}
        </select>
        <input
          aria-label="Action"
          placeholder="Action (start, die…)"
          className={`${inputClass} w-40`}
          onChange={(e) => set('action', e.target.value)}
        />
        <input
          aria-label="Actor"
          placeholder="Actor name or ID"
          className={`${inputClass} w-44`}
          onChange={(e) => set('actor', e.target.value)}
        />
      </div>
      <EventFeed key={JSON.stringify(applied)} filter={applied} />
    </section>
  );
}

/** `value`, once it has stopped changing for `ms` (typing in a filter refetches once, not per key). */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
