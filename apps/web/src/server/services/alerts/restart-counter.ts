interface ContainerHistory {
  /** Times (ms) of the restarts still inside the longest window asked about. */
  restarts: number[];
  diedSinceStart: boolean;
  /** The last start was counted as a restart: a `restart` event right after it is the same one. */
  startCounted: boolean;
  /** The newest event seen (ns), so a replayed event is not counted twice. */
  lastNano: bigint;
}

/**
 * Counts each container's restarts: a `start` that follows a `die` (the restart policy, or a
 * stop and start), or a `restart` event not already counted that way (`docker restart` sends die,
 * start and restart for one restart).
 */
export class RestartCounter {
  private readonly containers = new Map<string, ContainerHistory>();

  /** Feeds one container event; true when it counted as a restart. Events must come in order. */
  observe(containerKey: string, action: string, timeNano: bigint): boolean {
    let history = this.containers.get(containerKey);
    if (!history) {
      history = { restarts: [], diedSinceStart: false, startCounted: false, lastNano: -1n };
      this.containers.set(containerKey, history);
    }
    if (timeNano <= history.lastNano) return false;
    history.lastNano = timeNano;
    const atMs = Number(timeNano / 1_000_000n);
    if (action === 'die') {
      history.diedSinceStart = true;
      history.startCounted = false;
      return false;
    }
    if (action === 'start') {
      const counted = history.diedSinceStart;
      history.diedSinceStart = false;
      history.startCounted = counted;
      if (counted) history.restarts.push(atMs);
      return counted;
    }
    if (action === 'restart') {
      const counted = !history.startCounted;
      history.startCounted = false;
      if (counted) history.restarts.push(atMs);
      return counted;
    }
    if (action === 'destroy') this.containers.delete(containerKey);
    return false;
  }

  /** Restarts at or after `sinceMs`. */
  count(containerKey: string, sinceMs: number): number {
    return this.containers.get(containerKey)?.restarts.filter((at) => at >= sinceMs).length ?? 0;
  }

  /** Drops restarts older than `beforeMs` (and containers left with nothing to remember). */
  prune(beforeMs: number): void {
    for (const [key, history] of this.containers) {
      history.restarts = history.restarts.filter((at) => at >= beforeMs);
      if (history.restarts.length === 0 && !history.diedSinceStart) this.containers.delete(key);
    }
  }

  keys(): IterableIterator<string> {
    return this.containers.keys();
  }
}
