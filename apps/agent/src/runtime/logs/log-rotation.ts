import { rename, rm, stat, writeFile } from 'node:fs/promises';

/** conmon's control FIFO message that makes it reopen its log file (after a rename). */
const REOPEN_LOGS = 2;

/** The files of a rotated log, oldest first: `log.N` … `log.1`, then `log`. */
export function rotatedFiles(logPath: string, maxFiles: number): string[] {
  const older = Array.from({ length: Math.max(0, maxFiles - 1) }, (_, i) => `${logPath}.${maxFiles - 1 - i}`);
  return [...older, logPath];
}

/**
 * Docker's `max-size` / `max-file` for conmon's log: once the log reaches `maxSize`, the files
 * shift (`log` → `log.1` → `log.2` …, the oldest beyond `maxFiles` deleted) and conmon is told
 * through its control FIFO to reopen, so it starts a new file. Nothing is truncated in place.
 * Returns whether it rotated.
 */
export async function rotateIfNeeded(
  logPath: string,
  ctlFifo: string,
  maxSize: number,
  maxFiles: number,
): Promise<boolean> {
  const size = (await stat(logPath).catch(() => null))?.size ?? 0;
  if (size < maxSize) return false;
  await rm(`${logPath}.${maxFiles - 1}`, { force: true });
  for (let i = maxFiles - 2; i >= 1; i--) {
    await rename(`${logPath}.${i}`, `${logPath}.${i + 1}`).catch(() => {});
  }
  if (maxFiles > 1) await rename(logPath, `${logPath}.1`);
  else await rm(logPath, { force: true });
  await writeFile(ctlFifo, `${REOPEN_LOGS} 0 0\n`, { flag: 'a' });
  return true;
}
