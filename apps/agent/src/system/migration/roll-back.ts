import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../util/logger.js';
import { INCOMPLETE_MARKER, type Journal, removeJournal } from './journal.js';

/** Removes the copy (only a target that still carries the marker) and the source's journal. */
export async function rollBack(journal: Journal, log: Logger): Promise<void> {
  await killStrayCopies(journal.target);
  const marked = await readFile(join(journal.target, INCOMPLETE_MARKER), 'utf8').then(
    () => true,
    () => false,
  );
  if (marked) await rm(journal.target, { recursive: true, force: true });
  else log.warn({ target: journal.target }, 'the migration target has no marker; left in place');
  await removeJournal(journal.source);
}

/** rsync processes still copying into `target` (their agent was killed). */
async function killStrayCopies(target: string): Promise<void> {
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (/(^|\/)rsync$/.test(args[0] ?? '') && args.includes(`${target}/`)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // It exited meanwhile: nothing left to stop.
      }
    }
  }
}
