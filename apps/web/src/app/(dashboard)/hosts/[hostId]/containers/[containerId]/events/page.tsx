'use client';

import { useContainerInspect, useContainerRoute } from '~/components/container-page/use-container';
import { EventFeed } from '~/components/event-feed';

export default function ContainerEventsPage() {
  const { hostId } = useContainerRoute();
  const inspect = useContainerInspect();
  if (!inspect.data) return null;
  // Engine events name a container by its full id; the feed's actor filter matches it exactly.
  const filter = { hostId, type: 'container' as const, actor: inspect.data.Id };
  return (
    <section className="space-y-2" aria-label="Container events">
      <p className="text-sm text-slate-500">
        What the engine reported about this container (create, start, exec, kill, die…), newest first.
      </p>
      <EventFeed key={inspect.data.Id} filter={filter} />
    </section>
  );
}
