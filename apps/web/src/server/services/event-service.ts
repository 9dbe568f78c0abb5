import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  type EngineEvent,
  EngineEventSchema,
  type FleetEvent,
  type FleetEventFilter,
  type ListFleetEventsInput,
  ListFleetEventsInput as ListSchema,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import {
  appendEvents,
  findEvent,
  lastEventOf,
  listEvents,
  pruneEvents,
  type StoredEvent,
} from '../db/repositories/events';
import type { EngineEventSink } from '../hub/host-event-feed';
import { listen } from '../util/listen';

export interface EventRetention {
  /** Events older than this many days are dropped. */
  days: number;
  /** At most this many events are kept (the newest). */
  max: number;
}

const FLUSH_MS = 200;
const PRUNE_EVERY_MS = 10 * 60_000;

export function matchesFilter(event: FleetEvent, filter: FleetEventFilter): boolean {
  return (
    (!filter.hostId || event.hostId === filter.hostId) &&
    (!filter.type || event.type === filter.type) &&
    (!filter.action || event.action === filter.action) &&
    (!filter.actor ||
      (event.actorName ?? '').includes(filter.actor) ||
      event.actorId.startsWith(filter.actor))
  );
}

/**
 * The fleet's event feed: every host's engine events, pushed live to subscribers the moment the hub
 * receives them, and written to the database in small batches with bounded retention.
 */
export class EventService implements EngineEventSink {
  private readonly live = new EventEmitter();
  private pending: StoredEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly retention: EventRetention = { days: 7, max: 100_000 },
  ) {
    this.live.setMaxListeners(0);
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  async resumePoint(hostId: string): Promise<string | null> {
    const pending = this.pending.findLast((event) => event.hostId === hostId);
    return pending?.timeNano ?? (await lastEventOf(this.db, hostId))?.timeNano ?? null;
  }

  accept(host: { hostId: string; name: string }, event: EngineEvent): void {
    const parsed = EngineEventSchema.safeParse(event);
    if (!parsed.success) {
      this.log.warn({ hostId: host.hostId }, 'ignored a malformed engine event');
      return;
    }
    const { Type, Action, Actor, timeNano } = parsed.data;
    const stored: StoredEvent = {
      id: randomUUID(),
      hostId: host.hostId,
      at: new Date(Number(BigInt(timeNano) / 1_000_000n)),
      timeNano,
      type: Type,
      action: Action,
      actorId: Actor.ID,
      // A volume's ID is its name; containers, images and networks carry theirs as an attribute.
      actorName: Actor.Attributes.name ?? (Type === 'volume' ? Actor.ID : null),
      attributes: Actor.Attributes,
    };
    const fleetEvent = toFleetEvent(stored, host.name);
    this.live.emit('event', fleetEvent);
    this.live.emit('accepted', fleetEvent);
    this.pending.push(stored);
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Stored history, newest first, filtered. */
  async list(input: ListFleetEventsInput): Promise<{ events: FleetEvent[]; nextCursor: string | null }> {
    const { limit, cursor, ...filter } = ListSchema.parse(input);
    await this.flush();
    const rows = await listEvents(this.db, filter, { limit, ...(cursor ? { cursor } : {}) });
    const events = rows.map((row) =>
      toFleetEvent(
        { ...row, attributes: JSON.parse(row.attributes) as Record<string, string> },
        row.host.name,
      ),
    );
    return { events, nextCursor: events.length === limit ? (events.at(-1)?.id ?? null) : null };
  }

  /** Live events matching `filter` until the signal aborts. */
  watch(filter: FleetEventFilter, signal: AbortSignal | undefined): AsyncGenerator<FleetEvent> {
    return listen<FleetEvent>(
      (push) => this.onEvent((event) => matchesFilter(event, filter) && push(event)),
      signal,
    );
  }

  /** Every live event: this process's hosts' and, with several processes, the others'. */
  onEvent(listener: (event: FleetEvent) => void): () => void {
    this.live.on('event', listener);
    return () => this.live.off('event', listener);
  }

  /** Only the events of hosts this process follows (stored here; each reaches one process). */
  onAccepted(listener: (event: FleetEvent) => void): () => void {
    this.live.on('accepted', listener);
    return () => this.live.off('accepted', listener);
  }

  /** An event another process received and stores: passed on to this process's subscribers only. */
  emitRemote(event: FleetEvent): void {
    this.live.emit('event', event);
  }

  /** One stored event by id (for an event another process announced by id only), or null. */
  async stored(id: string): Promise<FleetEvent | null> {
    const row = await findEvent(this.db, id);
    return row
      ? toFleetEvent(
          { ...row, attributes: JSON.parse(row.attributes) as Record<string, string> },
          row.host.name,
        )
      : null;
  }

  /** Writes what is buffered; resolves once it is in the database. */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await appendEvents(this.db, batch);
      } catch (error) {
        // A host removed meanwhile takes its events with it (foreign key); keep the others.
        this.log.warn({ err: error, count: batch.length }, 'storing events failed');
      }
    });
    return this.flushing;
  }

  async prune(): Promise<number> {
    await this.flush();
    const before = new Date(Date.now() - this.retention.days * 86_400_000);
    try {
      return await pruneEvents(this.db, { before, keep: this.retention.max });
    } catch (error) {
      this.log.warn({ err: error }, 'pruning events failed');
      return 0;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.flush();
  }
}

function toFleetEvent(event: StoredEvent, hostName: string): FleetEvent {
  return {
    id: event.id,
    hostId: event.hostId,
    hostName,
    at: event.at.toISOString(),
    timeNano: event.timeNano,
    type: EngineEventSchema.shape.Type.parse(event.type),
    action: event.action,
    actorId: event.actorId,
    actorName: event.actorName,
    attributes: event.attributes,
  };
}
