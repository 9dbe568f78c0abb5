const NETWORK_REFUSAL_LOG_MS = 10_000;

/**
 * Counts work in flight per client address and in total, and refuses more beyond either cap: a
 * container that floods its network's DNS server fills its own share only, so the other
 * containers' queries still get through. A client's entry lives while it has work in flight.
 */
export class InFlightLimit {
  private total = 0;
  private networkRefusalLoggedAt = 0;
  private readonly perClient = new Map<string, { count: number; refused: number }>();

  constructor(
    readonly perClientCap: number,
    readonly totalCap: number,
  ) {}

  /**
   * A release function when the client may start one more, else null. `onFirstRefusal` runs once
   * per busy spell of a client (from its first refusal until its in-flight work drains), for a log.
   */
  acquire(client: string, onFirstRefusal?: (reason: string) => void): (() => void) | null {
    const entry = this.perClient.get(client) ?? { count: 0, refused: 0 };
    const reason =
      entry.count >= this.perClientCap
        ? `${client} has ${entry.count} queries in flight (at most ${this.perClientCap} per client)`
        : this.total >= this.totalCap
          ? `${this.total} queries in flight on this network (at most ${this.totalCap})`
          : null;
    if (reason) {
      // A client with nothing in flight was refused for the network's cap: say so at most every 10 s.
      const now = Date.now();
      const first =
        entry.count > 0 ? entry.refused++ === 0 : now - this.networkRefusalLoggedAt >= NETWORK_REFUSAL_LOG_MS;
      if (entry.count === 0 && first) this.networkRefusalLoggedAt = now;
      if (first) onFirstRefusal?.(reason);
      return null;
    }
    entry.count++;
    this.total++;
    this.perClient.set(client, entry);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      if (--entry.count === 0) this.perClient.delete(client);
    };
  }

  get inFlight(): number {
    return this.total;
  }
}
