'use client';

import { EngineEventSchema, type FleetEventFilter } from '@stevedore/shared';
import { EventFeed } from '~/components/event-feed';
import { HostFilter, filterInputClass as inputClass, useListFilter } from '~/components/list-filters';

const types = EngineEventSchema.shape.Type.options;

export default function EventsPage() {
  const { applied, set } = useListFilter<FleetEventFilter>();

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="mr-auto text-2xl font-semibold">Events</h1>
        <HostFilter onChange={(hostId) => set('hostId', hostId)} />
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
