import type { AgentClient } from '@stevedore/agent-api';
import type { EngineEvent } from '@stevedore/shared';

/** Where a host's engine events go, and where its stream resumes after a gap. */
export interface EngineEventSink {
  /** `timeNano` of the newest event already kept for this host, if any. */
  resumePoint(hostId: string): Promise<string | null>;
  accept(host: { hostId: string; name: string }, event: EngineEvent): void;
}

/** Unix nanoseconds (decimal string) → the `seconds.nanoseconds` bound the agent's `since` takes. */
export function sinceOf(timeNano: string): string {
  const nanos = BigInt(timeNano);
  return `${nanos / 1_000_000_000n}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** After a stream fails on an open connection: the first retry's delay, doubled up to the last. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * One host's `events.stream`, resumed from the newest event kept whenever the connection opens, so a
 * reconnect neither loses the events of the gap nor repeats the ones already seen. The agent stamps
 * its events with strictly increasing nanoseconds, so "newer than the last one kept" is exact (the
 * resumed stream starts at that event, inclusive, and it is dropped here). A stream that fails while
 * the connection stays open is resumed the same way, after a delay: the containers list counts on
 * every container event arriving.
 */
export class HostEventFeed {
  private subscription: { unsubscribe(): void } | null = null;
  private generation = 0;
  private lastNano: bigint | null = null;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: { hostId: string; name: string },
    private readonly client: AgentClient,
    private readonly sink: EngineEventSink,
    private readonly onError: (error: unknown) => void,
    private readonly retry = { firstMs: RETRY_FIRST_MS, maxMs: RETRY_MAX_MS },
  ) {
    this.retryMs = retry.firstMs;
  }

  /** (Re)subscribes from the resume point; call when the connection (re)opens. */
  async resume(): Promise<void> {
    this.pause();
    const generation = ++this.generation;
    if (this.lastNano === null) {
      const stored = await this.sink.resumePoint(this.host.hostId).catch(() => null);
      if (stored && this.lastNano === null) this.lastNano = BigInt(stored);
    }
    if (generation !== this.generation) return; // paused or resumed again meanwhile
    const since = this.lastNano === null ? null : sinceOf(this.lastNano.toString());
    this.subscription = this.client.events.stream.subscribe(
      { since },
      {
        onData: (event) => {
          this.retryMs = this.retry.firstMs;
          this.take(event);
        },
        onError: (error) => {
          this.onError(error);
          if (generation !== this.generation) return;
          this.subscription = null;
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            if (generation === this.generation) void this.resume();
          }, this.retryMs);
          this.retryTimer.unref();
          this.retryMs = Math.min(this.retryMs * 2, this.retry.maxMs);
        },
      },
    );
  }

  /** Drops the subscription (connection lost or host removed); `resume` starts a fresh one. */
  pause(): void {
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  private take(event: EngineEvent): void {
    const nano = BigInt(event.timeNano);
    if (this.lastNano !== null && nano <= this.lastNano) return;
    this.lastNano = nano;
    this.sink.accept(this.host, event);
  }
}
