import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { removeInterruptedWrites, writeFileAtomic } from '../../util/atomic-file.js';
import type { Logger } from '../../util/logger.js';

/**
 * A small piece of agent state kept in one JSON file: read once at start, replaced atomically at
 * every save (so a kill -9 leaves the old or the new file), saves one at a time with the newest
 * value winning. A file that cannot be read or does not match its schema is a warning and an
 * empty start, never a failure: this is history, not configuration.
 */
export class JsonStateFile<T> {
  private writing: Promise<void> | null = null;
  private pending: T | null = null;

  constructor(
    readonly path: string,
    private readonly schema: z.ZodType<T>,
    private readonly log: Logger | null = null,
  ) {}

  /** The saved value, or null when there is none (or none that can be used). */
  async load(): Promise<T | null> {
    await removeInterruptedWrites(dirname(this.path));
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log?.warn({ err: error, file: this.path }, 'state file cannot be read: starting empty');
      }
      return null;
    }
    try {
      return this.schema.parse(JSON.parse(text));
    } catch (error) {
      this.log?.warn(
        { file: this.path, error: (error as Error).message.slice(0, 300) },
        'state file is damaged or from another version: starting empty',
      );
      return null;
    }
  }

  /** Writes `value` after the write under way, if any; a newer save replaces one still waiting. */
  save(value: T): void {
    this.pending = value;
    this.writing ??= this.drain().finally(() => {
      this.writing = null;
    });
  }

  /** Resolves when every save so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.pending !== null) {
      const value = this.pending;
      this.pending = null;
      try {
        await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
        await writeFileAtomic(this.path, `${JSON.stringify(value)}\n`);
      } catch (error) {
        // The in-memory copy is still right; the next save tries again.
        this.log?.warn({ err: error, file: this.path }, 'state file could not be written');
      }
    }
  }
}
