import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../util/logger.js';
import { INCOMPLETE_MARKER, type Journal, readJournal, removeJournal } from './journal.js';
import { writeLastOutcome } from './last-outcome.js';
import { rollBack } from './roll-back.js';

export interface SettledMigration {
  outcome: 'finished' | 'rolled back';
  source: string;
  target: string;
  /** Containers to start again. */
  stopped: string[];
  journal: Journal;
}

/** What the log (and, after a roll-back, `info`'s warnings) says of a settled migration. */
export function settledMigrationMessage(settled: SettledMigration): string {
  return settled.outcome === 'finished'
    ? `data-root migration from ${settled.source} finished; the old root is kept until you remove it`
    : `data-root migration to ${settled.target} was interrupted and rolled back; ${settled.source} stays in use`;
}

/**
 * At start, before anything uses the data-root: a journal in the root the config names finishes
 * (target) or rolls back (source) a migration an earlier agent did not complete.
 */
export async function settleMigration(dataRoot: string, log: Logger): Promise<SettledMigration | null> {
  const journal = await readJournal(dataRoot);
  if (!journal) return null;
  if (journal.role === 'target' && journal.target === dataRoot) {
    await rm(join(dataRoot, INCOMPLETE_MARKER), { force: true });
    await removeJournal(journal.source);
    await removeJournal(dataRoot);
    log.info({ source: journal.source, target: dataRoot }, 'data-root migration finished');
    const settled: SettledMigration = {
      outcome: 'finished',
      source: journal.source,
      target: dataRoot,
      stopped: journal.stopped,
      journal,
    };
    await recordSettled(settled, dataRoot, log);
    return settled;
  }
  if (journal.role === 'source' && journal.source === dataRoot) {
    await rollBack(journal, log);
    log.warn(
      { source: dataRoot, target: journal.target },
      'data-root migration was interrupted and rolled back',
    );
    const settled: SettledMigration = {
      outcome: 'rolled back',
      source: dataRoot,
      target: journal.target,
      stopped: journal.stopped,
      journal,
    };
    await recordSettled(settled, dataRoot, log);
    return settled;
  }
  log.warn({ journal }, 'ignoring a migration journal that does not belong to this data-root');
  return null;
}

/** The ending, in the root now in use, for `system.dataRoot` to report. */
function recordSettled(settled: SettledMigration, root: string, log: Logger): Promise<void> {
  return writeLastOutcome(
    root,
    {
      startedAt: settled.journal.startedAt,
      startedBy: settled.journal.startedBy ?? null,
      ...(settled.journal.stopContainers !== undefined
        ? { stopContainers: settled.journal.stopContainers }
        : {}),
      // A rolled-back run's journal keeps no progress: the crash took it.
      phasesSeen: settled.journal.progress?.phasesSeen ?? [],
      bytes: settled.journal.progress?.bytes ?? null,
      totalBytes: settled.journal.progress?.totalBytes ?? null,
      files: settled.journal.progress?.files ?? null,
      outcome: settled.outcome,
      source: settled.source,
      target: settled.target,
      at: new Date().toISOString(),
      message: settledMigrationMessage(settled),
    },
    log,
  );
}
