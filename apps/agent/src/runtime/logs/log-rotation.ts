import { constants } from 'node:fs';
import { link, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { crashPoint } from '../../util/crash-point.js';
import { rotatedGenerations, rotatedLogPath } from './log-files.js';

/**
 * Rotation is the agent's, done so that no line is lost: conmon writes `<log>` with no limit of its
 * own, and once the file reaches max-size the agent
 * 1. shifts the rotated files (`.1` → `.2` …, the oldest beyond max-file deleted),
 * 2. gives the current file a second name, `<log>.1` (conmon goes on writing into it meanwhile),
 * 3. asks conmon through its control FIFO to reopen its log: conmon closes the file and renames
 *    a new empty one over `<log>`, which only drops the first name of the file just linked.
 * conmon's own `--log-size-max` is not used: it replaces the file the same way but on its own,
 * and a file it replaced before the agent gave it a second name (two replacements within the
 * agent's reaction time: 64 KiB fill in well under a millisecond) was gone with its lines.
 * While `<log>` and `<log>.1` are the same file a reopen is due: readers keep the file once.
 */

/** conmon's control FIFO message that makes it reopen its log file (`<type> <h> <w>`). */
const REOPEN_LOGS = '2 0 0\n';

/** The name a previous agent kept a replaced file under; removed wherever it is left. */
const legacyHeldPath = (logPath: string) => `${logPath}.held`;

/** Where settleStoppedLog makes the empty file it renames over `<log>`. */
const freshLogPath = (logPath: string) => `${logPath}.fresh`;

export interface FileIdentity {
  ino: number;
  size: number;
}

/** `<log>` and `<log>.1` as they are now (null where absent). */
export async function logState(
  logPath: string,
): Promise<{ current: FileIdentity | null; newest: FileIdentity | null }> {
  const [current, newest] = await Promise.all([
    statIfPresent(logPath),
    statIfPresent(rotatedLogPath(logPath, 1)),
  ]);
  return { current, newest };
}

/** Whether a rotation linked the current file as `<log>.1` and conmon has not reopened yet. */
export const reopenDue = (state: Awaited<ReturnType<typeof logState>>) =>
  state.current !== null && state.newest !== null && state.current.ino === state.newest.ino;

/**
 * Steps 1 and 2 above. Each step is one rename, link or unlink: an agent killed between two
 * leaves every line in a file a reader finds (at worst a generation number unused).
 */
export async function keepCurrentLog(logPath: string, maxFiles: number): Promise<void> {
  await shiftRotated(logPath, maxFiles);
  crashPoint('log-shifted');
  if (maxFiles > 1) await link(logPath, rotatedLogPath(logPath, 1));
  crashPoint('log-linked');
}

/**
 * Step 3: conmon (the container's, reading `<bundle>/ctl`) reopens its log. Refused at once
 * (ENXIO) when no conmon has the FIFO open: it never blocks on a container that is gone.
 */
export async function requestReopen(ctlFifo: string): Promise<void> {
  const fifo = await open(ctlFifo, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    await fifo.write(REOPEN_LOGS);
  } finally {
    await fifo.close();
  }
  crashPoint('log-reopen-asked');
}

/**
 * conmon has exited: a reopen it did not do (the container wrote its last lines past max-size
 * and ended) is finished as conmon would have: an empty file is renamed over `<log>`, so the full
 * one keeps only its `<log>.1` name and generation 1 is not left unused. Also clears a previous
 * agent's second name and an empty file a crash left before its rename.
 */
export async function settleStoppedLog(logPath: string): Promise<void> {
  const fresh = freshLogPath(logPath);
  await Promise.all([rm(legacyHeldPath(logPath), { force: true }), rm(fresh, { force: true })]);
  if (!reopenDue(await logState(logPath))) return;
  const { mode } = await stat(logPath);
  await writeFile(fresh, '', { mode: mode & 0o777, flag: 'wx' });
  await rename(fresh, logPath);
}

/**
 * Before conmon starts: a log left by an earlier run becomes the newest rotated file (dropped when
 * max-file is 1), so the new run starts an empty file.
 */
export async function rotateBeforeStart(logPath: string, maxFiles: number): Promise<void> {
  await settleStoppedLog(logPath);
  const size = (await statIfPresent(logPath))?.size ?? 0;
  if (size === 0) return;
  await shiftRotated(logPath, maxFiles);
  if (maxFiles > 1) await rename(logPath, rotatedLogPath(logPath, 1));
  else await rm(logPath, { force: true });
}

/**
 * Makes room for a new `<log>.1`: `.1` → `.2` … and those at max-file or beyond deleted. Only the
 * files there are touched (one listing of the directory), oldest first, so no rename replaces a
 * file and the cost does not grow with max-file.
 */
async function shiftRotated(logPath: string, maxFiles: number): Promise<void> {
  if (maxFiles <= 1) return;
  for (const generation of await rotatedGenerations(logPath)) {
    const path = rotatedLogPath(logPath, generation);
    if (generation >= maxFiles - 1) await rm(path, { force: true });
    else await rename(path, rotatedLogPath(logPath, generation + 1));
  }
}

async function statIfPresent(path: string): Promise<FileIdentity | null> {
  try {
    const found = await stat(path);
    return { ino: found.ino, size: found.size };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
