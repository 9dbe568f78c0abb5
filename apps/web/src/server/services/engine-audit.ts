import { ENGINE_ACTOR, type FleetEvent } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { AuditEntry } from '../db/repositories/audit';
import type { EngineEventRef } from './dashboard-actions';

/**
 * The engine events that are actions someone took on the host (`stevedore stop`, `stevedore pull`),
 * by type, with the audit action each becomes. Consequences (die, oom, exec, attach, health status,
 * network connects made by a start) are not actions and are left out.
 */
const RECORDED: Record<string, Record<string, string>> = {
  container: {
    create: 'create',
    start: 'start',
    stop: 'stop',
    restart: 'restart',
    kill: 'kill',
    pause: 'pause',
    unpause: 'unpause',
    destroy: 'remove',
    rename: 'rename',
    update: 'update',
  },
  image: { pull: 'pull', push: 'push', tag: 'tag', untag: 'untag', delete: 'remove', load: 'load' },
  volume: { create: 'create', destroy: 'remove' },
  network: { create: 'create', destroy: 'remove' },
};

/**
 * One command shows as several events: `stop` is kill → die → stop, `restart` is kill → die → stop
 * → start → restart, `rm -f` is kill → die → destroy. The lower events are held a moment and
 * dropped when the higher one follows for the same container; otherwise they are recorded when the
 * hold ends (a plain `kill`), with their own time.
 */
const HOLD_MS: Record<string, number> = { kill: 15_000, stop: 5_000, start: 3_000 };
const ABSORBS: Record<string, string[]> = {
  stop: ['kill'],
  restart: ['kill', 'stop', 'start'],
  destroy: ['kill'],
};

/** Attributes worth keeping as parameters (the rest are labels and names, shown elsewhere). */
const PARAM_KEYS = ['image', 'signal', 'oldName', 'imageID', 'driver'];

interface Held {
  event: FleetEvent;
  timer: NodeJS.Timeout;
}

/**
 * Records actions taken directly on a host (its CLI, or the engine's API used by something else) in
 * the audit log, from the host's engine events, attributed to ENGINE_ACTOR on that host. Events a
 * dashboard action caused are skipped (`isDashboards`, see DashboardActionLedger): the dashboard's
 * own entry, with its user and parameters, already records them.
 */
export class EngineAuditRecorder {
  private readonly held = new Map<string, Held[]>();
  private closed = false;

  constructor(
    private readonly write: (entry: AuditEntry) => Promise<unknown>,
    private readonly isDashboards: (event: EngineEventRef) => boolean,
    private readonly log: Logger,
  ) {}

  accept(event: FleetEvent): void {
    if (this.closed || !RECORDED[event.type]?.[event.action]) return;
    if (this.isDashboards(event)) return;
    const key = `${event.hostId}/${event.type}/${event.actorId}`;
    const held = this.held.get(key) ?? [];
    const absorbed = ABSORBS[event.action] ?? [];
    const kept = held.filter((h) => {
      if (!absorbed.includes(h.event.action)) return true;
      clearTimeout(h.timer);
      return false;
    });
    const holdMs = event.type === 'container' ? HOLD_MS[event.action] : undefined;
    if (holdMs !== undefined) {
      const entry: Held = { event, timer: setTimeout(() => this.release(key, entry), holdMs) };
      entry.timer.unref();
      kept.push(entry);
    } else {
      this.record(event);
    }
    if (kept.length > 0) this.held.set(key, kept);
    else this.held.delete(key);
  }

  /** Records what is still held (on shutdown) and stops taking events. */
  close(): void {
    this.closed = true;
    for (const [key, held] of this.held) for (const entry of held) this.release(key, entry);
  }

  private release(key: string, entry: Held): void {
    clearTimeout(entry.timer);
    const rest = (this.held.get(key) ?? []).filter((h) => h !== entry);
    if (rest.length > 0) this.held.set(key, rest);
    else this.held.delete(key);
    this.record(entry.event);
  }

  private record(event: FleetEvent): void {
    const params: Record<string, unknown> = { name: event.actorName ?? event.actorId };
    for (const key of PARAM_KEYS) if (event.attributes[key]) params[key] = event.attributes[key];
    const entry: AuditEntry = {
      userId: null,
      username: ENGINE_ACTOR,
      action: `${event.type}.${RECORDED[event.type]?.[event.action]}`,
      hostId: event.hostId,
      target: event.actorId,
      params,
      result: 'ok',
      at: new Date(event.at),
    };
    this.write(entry).catch((error: unknown) =>
      // Not lost entirely: the event itself is kept in the host's event history.
      this.log.warn(
        { err: error, hostId: event.hostId, action: entry.action },
        'recording an engine action failed',
      ),
    );
  }
}
