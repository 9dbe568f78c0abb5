import { link, rename, rm, stat } from 'node:fs/promises';
import { rotatedLogPath } from './log-files.js';

/**
 * Rotation is conmon's: with `--log-size-max` it replaces its log with a new empty file once the
 * next write would pass the limit (it creates `<log>.tmp` and renames it over `<log>`), so the
 * agent never watches sizes. Alone that would drop the old file; the agent keeps a second name on
 * the current file (`<log>.held`), so the file conmon replaced survives and becomes `<log>.1`.
 */
export const heldLogPath = (logPath: string) => `${logPath}.held`;

/**
 * Before conmon starts (it counts the size from zero): a log left by an earlier run becomes the
 * newest rotated file, so the current one never passes max-size.
 */
export async function rotateBeforeStart(logPath: string, maxFiles: number): Promise<void> {
  await rm(heldLogPath(logPath), { force: true });
  const size = (await statIfPresent(logPath))?.size ?? 0;
  if (size > 0) await shiftInto(logPath, maxFiles, logPath);
}

/**
 * After conmon replaced its log: the file it replaced (still held) becomes `<log>.1`, the older
 * ones shift up (the oldest beyond max-file is deleted), and the new current file is held.
 * Returns whether anything changed. Should conmon replace its log twice before this runs, the
 * file in between was never held and is lost: the limit on disk holds either way.
 */
export async function keepReplacedLog(logPath: string, maxFiles: number): Promise<boolean> {
  if (maxFiles <= 1) return false;
  const held = heldLogPath(logPath);
  const [current, kept] = await Promise.all([statIfPresent(logPath), statIfPresent(held)]);
  if (current && kept && current.ino === kept.ino) return false;
  if (kept) await shiftInto(logPath, maxFiles, held);
  if (current) {
    try {
      await link(logPath, held);
    } catch (error) {
      // Replaced again right now: the next rename event holds the newer file.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return true;
}

/** Makes room for `newest` as `<log>.1`: `.1` → `.2` … and the oldest beyond max-file deleted. */
async function shiftInto(logPath: string, maxFiles: number, newest: string): Promise<void> {
  if (maxFiles <= 1) {
    await rm(newest, { force: true });
    return;
  }
  await rm(rotatedLogPath(logPath, maxFiles - 1), { force: true });
  for (let generation = maxFiles - 2; generation >= 1; generation--) {
    try {
      await rename(rotatedLogPath(logPath, generation), rotatedLogPath(logPath, generation + 1));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  await rename(newest, rotatedLogPath(logPath, 1));
}

async function statIfPresent(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
