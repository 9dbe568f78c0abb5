import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MigrationOutcome, MigrationOutcomeSchema } from '@stevedore/shared';
import { writeFileAtomic } from '../../util/atomic-file.js';
import type { Logger } from '../../util/logger.js';

/**
 * How the last migration ended, kept in the root in use (the source after a cancel, failure or
 * roll-back, the target after a finish), so the dashboard can say so after any restart.
 */
export const LAST_OUTCOME_FILE = 'migration-last.json';

export async function readLastOutcome(root: string, log: Logger): Promise<MigrationOutcome | null> {
  let text: string;
  try {
    text = await readFile(join(root, LAST_OUTCOME_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      log.debug({ err: error, root }, 'reading the last migration outcome');
    }
    return null;
  }
  const parsed = MigrationOutcomeSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    log.debug({ root, issues: parsed.error.issues }, 'ignoring a malformed migration outcome');
  return parsed.success ? parsed.data : null;
}

/** Never fails the migration it describes: a lost record is logged. */
export async function writeLastOutcome(root: string, outcome: MigrationOutcome, log: Logger): Promise<void> {
  await writeFileAtomic(join(root, LAST_OUTCOME_FILE), JSON.stringify(outcome, null, 2)).catch((error) =>
    log.warn({ err: error, root, outcome }, 'recording how the data-root migration ended'),
  );
}
