import { EventEmitter, on } from 'node:events';
import type { EngineEvent } from '@stevedore/shared';

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

  /** Live events from now on, until `signal` aborts. */
  async *subscribe(signal: AbortSignal): AsyncGenerator<EngineEvent> {
    try {
      for await (const [event] of on(this.emitter, 'event', { signal })) yield event as EngineEvent;
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
