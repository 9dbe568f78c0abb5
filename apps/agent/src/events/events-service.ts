import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { type EngineEvent, EngineEventSchema, type EventsQuery, StevedoreError } from '@stevedore/shared';
import type { Logger } from '../util/logger.js';
import { parseTimeBound } from '../util/time-bound.js';
import type { EventBus } from './event-bus.js';

/** Events kept across restarts: the newest this many, in `<data-root>/events.jsonl`. */
const KEEP = 2000;

/**
 * `docker events`: the live stream plus a bounded, persisted history so `--since` reaches back
 * across agent restarts.
 */
export class EventsService {
  private history: EngineEvent[] = [];
  private writes: Promise<void> = Promise.resolve();
  private appended = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  async init(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch(() => '');
    this.history = text
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        try {
          return [EngineEventSchema.parse(JSON.parse(line))];
        } catch {
          return []; // a torn last line after a crash
        }
      })
      .slice(-KEEP);
    this.bus.onEvent((event) => this.record(event));
  }

  /** Resolves once every event recorded so far has been written to the file (or failed to). */
  saved(): Promise<void> {
    return this.writes;
  }

  private record(event: EngineEvent): void {
    this.history.push(event);
    if (this.history.length > KEEP * 1.5) this.history = this.history.slice(-KEEP);
    this.writes = this.writes
      .then(async () => {
        if (++this.appended > KEEP) {
          this.appended = 0;
          await writeFile(this.file, this.history.map((e) => `${JSON.stringify(e)}\n`).join(''), {
            mode: 0o600,
          });
        } else {
          await appendFile(this.file, `${JSON.stringify(event)}\n`, { mode: 0o600 });
        }
      })
      .catch((error: unknown) => {
        // The live stream and the in-memory history still have the event; only `--since` after a
        // restart would miss it (a full disk, say). The next write tries again.
        this.log.warn({ err: error, file: this.file }, 'could not save an event to the events log');
      });
  }

  /** `input` as the router validated it (defaults applied). */
  async *stream(input: EventsQuery, signal: AbortSignal): AsyncGenerator<EngineEvent> {
    const since = input.since ? timeBound(input.since, 'since') : null;
    const until = input.until ? timeBound(input.until, 'until') : null;
    const accept = (event: EngineEvent) => {
      const nanos = BigInt(event.timeNano);
      return (
        (since === null || nanos >= since) &&
        (until === null || nanos <= until) &&
        matchesFilters(event, input.filters)
      );
    };
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal.addEventListener('abort', stop);
    // Subscribe before replaying, so nothing falls between history and live.
    const live = this.bus.subscribe(controller.signal);
    const replayed = since === null ? [] : this.history.filter(accept);
    const lastReplayed = replayed.at(-1)?.timeNano;
    try {
      yield* replayed;
      const nowNanos = BigInt(Date.now()) * 1_000_000n;
      if (until !== null && until <= nowNanos) return;
      let timer: NodeJS.Timeout | undefined;
      if (until !== null) timer = setTimeout(stop, Number((until - nowNanos) / 1_000_000n));
      try {
        for await (const event of live) {
          if (lastReplayed && BigInt(event.timeNano) <= BigInt(lastReplayed)) continue;
          if (accept(event)) yield event;
        }
      } finally {
        clearTimeout(timer);
      }
    } finally {
      signal.removeEventListener('abort', stop);
      controller.abort();
    }
  }
}

export function matchesFilters(event: EngineEvent, filters: readonly string[]): boolean {
  const byKey = new Map<string, string[]>();
  for (const filter of filters) {
    const [key = '', ...rest] = filter.split('=');
    byKey.set(key, [...(byKey.get(key) ?? []), rest.join('=')]);
  }
  // Docker's rule: values of one key are alternatives; different keys must all match.
  return [...byKey].every(([key, values]) =>
    values.some((value) => {
      const attrs = event.Actor.Attributes;
      switch (key) {
        case 'type':
          return event.Type === value;
        case 'event':
          return event.Action === value || event.Action.startsWith(`${value}:`);
        case 'container':
          return event.Type === 'container' && (event.Actor.ID.startsWith(value) || attrs.name === value);
        case 'image':
          return attrs.image === value || event.Actor.ID === value;
        case 'label': {
          const [k = '', ...v] = value.split('=');
          return v.length === 0 ? k in attrs : attrs[k] === v.join('=');
        }
        default:
          return false;
      }
    }),
  );
}

/** `--since`/`--until` as nanoseconds; a time that is none is the caller's error. */
function timeBound(text: string, flag: 'since' | 'until'): bigint {
  try {
    return parseTimeBound(text);
  } catch (error) {
    throw new StevedoreError('INVALID_ARGUMENT', `--${flag}: ${(error as Error).message}`, {
      [flag]: text.slice(0, 100),
    });
  }
}
