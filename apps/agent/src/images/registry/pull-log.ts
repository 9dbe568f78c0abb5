import type { PullRecord } from '@stevedore/shared';
import type { RegistryEndpoint } from './endpoints.js';

/** What a pull reports about the endpoints it used, as it goes. */
export interface PullTrace {
  served(endpoint: RegistryEndpoint): void;
  finish(error: unknown): void;
}

/** The last pulls (newest first) and which endpoint served each: a mirror or the registry. */
export class PullLog {
  private readonly records: PullRecord[] = [];

  constructor(private readonly size = 50) {}

  begin(reference: string, registry: string): PullTrace {
    const startedAt = Date.now();
    const endpoints: RegistryEndpoint[] = [];
    return {
      served: (endpoint) => {
        if (!endpoints.some((e) => e.url === endpoint.url)) endpoints.push(endpoint);
      },
      finish: (error) => {
        const first = endpoints[0] ?? null;
        this.records.unshift({
          reference,
          registry,
          endpoint: first?.url ?? null,
          mirror: first?.mirror ?? false,
          endpoints: endpoints.map((e) => e.url),
          startedAt,
          finishedAt: Date.now(),
          ok: error === null,
          error: error === null ? null : error instanceof Error ? error.message : String(error),
        });
        if (this.records.length > this.size) this.records.length = this.size;
      },
    };
  }

  recent(limit = this.size): PullRecord[] {
    return this.records.slice(0, limit);
  }
}
