import { EventEmitter } from 'node:events';
import { AsyncQueue, type EngineEvent, StevedoreError } from '@stevedore/shared';

/** Events a subscriber may have waiting before its stream is ended. */
const MAX_EVENTS_BEHIND = 10_000;

export type EventType = EngineEvent['Type'];

/** Engine events: published by the services, streamed to every `events` subscriber. */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private lastNanos = 0n;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
    // Strictly increasing timestamps keep the order of events that happen in the same millisecond.
    let nanos = BigInt(Date.now()) * 1_000_000n;
    if (nanos <= this.lastNanos) nanos = this.lastNanos + 1n;
    this.lastNanos = nanos;
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nanos / 1_000_000_000n),
      timeNano: String(nanos),
    };
    this.emitter.emit('event', event);
    return event;
  }

  /**
   * Live events from now on, until `signal` aborts. A subscriber more than `maxBehind` events
   * behind is ended with an error that says so (it can resubscribe with `--since`): events are
   * never held without bound for a client that does not read.
   */
  async *subscribe(signal: AbortSignal, maxBehind = MAX_EVENTS_BEHIND): AsyncGenerator<EngineEvent> {
    const queue = new AsyncQueue<EngineEvent>();
    let behind = 0;
    const listener = (event: EngineEvent) => {
      if (++behind <= maxBehind) {
        queue.push(event);
        return;
      }
      this.emitter.off('event', listener);
      queue.close(
        new StevedoreError(
          'UNAVAILABLE',
          `the events stream was ended: this client fell more than ${maxBehind} events behind; subscribe again with --since to catch up`,
        ),
      );
    };
    this.emitter.on('event', listener);
    try {
      for await (const event of queue.drain(signal)) {
        behind--;
        yield event;
      }
    } finally {
      this.emitter.off('event', listener);
    }
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
