import type { PullRecord } from '@stevedore/shared';
import type { RegistryEndpoint } from './endpoints.js';
import type { JsonStateFile } from './state-file.js';

/** What a pull reports about the endpoints it used, as it goes. */
export interface PullTrace {
  served(endpoint: RegistryEndpoint): void;
  /** Records the pull; resolves when the record is on disk. */
  finish(error: unknown): Promise<void>;
}

/**
 * The last pulls (newest first) and which endpoint served each: a mirror or the registry. With a
 * state file, kept across agent restarts (saved after every pull).
 */
export class PullLog {
  private records: PullRecord[] = [];

  constructor(
    private readonly size = 100,
    private readonly file: JsonStateFile<PullRecord[]> | null = null,
  ) {}

  /** The pulls saved before the agent (re)started; pulls recorded meanwhile stay in front. */
  async load(): Promise<void> {
    const saved = (await this.file?.load()) ?? [];
    this.records = [...this.records, ...saved].slice(0, this.size);
  }

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
        this.file?.save([...this.records]);
        return this.flush();
      },
    };
  }

  recent(limit = this.size): PullRecord[] {
    return this.records.slice(0, limit);
  }

  /** Every pull recorded so far is on disk. */
  flush(): Promise<void> {
    return this.file?.flush() ?? Promise.resolve();
  }
}
