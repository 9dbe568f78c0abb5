import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MIGRATION_PHASES } from '@stevedore/shared';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomic-file.js';

/**
 * The migration's record, kept in the root it belongs to. In the old root (`role: source`) it
 * means "a copy was under way": a start that still uses the old root rolls back. In the new root
 * (`role: target`, written just before the config switches) it means "switched": a start that
 * uses the new root finishes. So whichever root the config names decides, never a mix.
 */
export const JournalSchema = z.object({
  role: z.enum(['source', 'target']),
  source: z.string(),
  target: z.string(),
  /** Containers stopped for the copy: started again when the migration finishes or rolls back. */
  stopped: z.array(z.string()),
  startedAt: z.string(),
  startedBy: z.string().nullable().optional(),
  /** Whether containers were to be stopped (then `stopped` lists them). */
  stopContainers: z.boolean().optional(),
  /** Written with the switch (role target): the run's progress, for the outcome the next start records. */
  progress: z
    .object({
      phasesSeen: z.array(z.enum(MIGRATION_PHASES)),
      bytes: z.number().nullable(),
      totalBytes: z.number().nullable(),
      files: z.number().nullable(),
    })
    .optional(),
});
export type Journal = z.infer<typeof JournalSchema>;

export const JOURNAL_FILE = 'migration.json';
/** In the target while it is not in use yet: only a target carrying it is ever deleted. */
export const INCOMPLETE_MARKER = '.stevedore-migration-incomplete';

export const journalPath = (root: string) => join(root, JOURNAL_FILE);

export async function readJournal(root: string): Promise<Journal | null> {
  const text = await readFile(journalPath(root), 'utf8').catch(() => null);
  if (text === null) return null;
  const parsed = JournalSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export function writeJournal(root: string, journal: Journal): Promise<void> {
  return writeFileAtomic(journalPath(root), JSON.stringify(journal, null, 2));
}

export function removeJournal(root: string): Promise<void> {
  return rm(journalPath(root), { force: true });
}
