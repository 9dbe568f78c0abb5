import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AgentPruneRun, AgentPruneRunSchema } from '@stevedore/shared';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomic-file.js';
import type { Logger } from '../../util/logger.js';

/** Runs kept, newest first; items kept per run (the count and bytes stay exact). */
export const MAX_RUNS = 50;
export const MAX_ITEMS_PER_RUN = 200;

const StateSchema = z.object({
  /** When the enabled policy was first seen: the first run is one interval after it. */
  enabledSince: z.string().nullable(),
  lastRunAt: z.string().nullable(),
});
export type PruneState = z.infer<typeof StateSchema>;

/**
 * The prune scheduler's files under `<data-root>/prune/`: `state.json` (when the policy was
 * enabled and last ran, so a restart keeps the schedule) and `runs.json` (the record of each run).
 * Both written atomically; a damaged file is logged and starts empty.
 */
export class PruneRecord {
  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  async state(): Promise<PruneState> {
    const parsed = StateSchema.safeParse(await this.readJson('state.json'));
    return parsed.success ? parsed.data : { enabledSince: null, lastRunAt: null };
  }

  saveState(state: PruneState): Promise<void> {
    return this.writeJson('state.json', state);
  }

  async runs(): Promise<AgentPruneRun[]> {
    const parsed = z.array(AgentPruneRunSchema).safeParse((await this.readJson('runs.json')) ?? []);
    if (!parsed.success)
      this.log.warn({ issues: parsed.error.issues }, 'ignoring a damaged prune run record');
    return parsed.success ? parsed.data : [];
  }

  async append(run: AgentPruneRun): Promise<void> {
    const bounded = { ...run, removed: run.removed.slice(0, MAX_ITEMS_PER_RUN) };
    await this.writeJson('runs.json', [bounded, ...(await this.runs())].slice(0, MAX_RUNS));
  }

  private async readJson(file: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(join(this.dir, file), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn({ err: error, file: join(this.dir, file) }, 'reading the prune record');
      }
      return null;
    }
  }

  private async writeJson(file: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, file), JSON.stringify(value, null, 2));
  }
}
