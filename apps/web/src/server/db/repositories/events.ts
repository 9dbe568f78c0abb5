import type { FleetEventFilter } from '@stevedore/shared';
import type { Db } from '../client';

export interface StoredEvent {
  id: string;
  hostId: string;
  at: Date;
  timeNano: string;
  type: string;
  action: string;
  actorId: string;
  actorName: string | null;
  attributes: Record<string, string>;
}

export const appendEvents = (db: Db, events: StoredEvent[]) =>
  db.hostEvent.createMany({
    data: events.map(({ attributes, ...event }) => ({ ...event, attributes: JSON.stringify(attributes) })),
  });

const whereOf = (filter: FleetEventFilter) => ({
  ...(filter.hostId ? { hostId: filter.hostId } : {}),
  ...(filter.type ? { type: filter.type } : {}),
  ...(filter.action ? { action: filter.action } : {}),
  ...(filter.actor
    ? { OR: [{ actorName: { contains: filter.actor } }, { actorId: { startsWith: filter.actor } }] }
    : {}),
});

/** Newest first; pass the last id of a page as `cursor` for the next one. */
export const listEvents = (
  db: Db,
  filter: FleetEventFilter,
  { limit, cursor }: { limit: number; cursor?: string },
) =>
  db.hostEvent.findMany({
    where: whereOf(filter),
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit,
    include: { host: { select: { name: true } } },
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });

export const findEvent = (db: Db, id: string) =>
  db.hostEvent.findUnique({ where: { id }, include: { host: { select: { name: true } } } });

/** The newest stored event of a host: where its event stream resumes after a restart of the hub. */
export const lastEventOf = (db: Db, hostId: string) =>
  db.hostEvent.findFirst({ where: { hostId }, orderBy: [{ at: 'desc' }, { id: 'desc' }] });

/** Bounded retention: drops events older than `before`, then all but the newest `keep`. */
export async function pruneEvents(db: Db, { before, keep }: { before: Date; keep: number }): Promise<number> {
  let removed = (await db.hostEvent.deleteMany({ where: { at: { lt: before } } })).count;
  const boundary = await db.hostEvent.findFirst({
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    skip: keep,
    select: { at: true },
  });
  if (boundary) removed += (await db.hostEvent.deleteMany({ where: { at: { lte: boundary.at } } })).count;
  return removed;
}
