import { type FileHandle, open, readdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/**
 * A container's log on disk: conmon writes `<id>.log`; rotation keeps the files it replaced as
 * `<id>.log.1` (newest) … `<id>.log.<max-file − 1>` (oldest).
 */
export const rotatedLogPath = (logPath: string, generation: number) => `${logPath}.${generation}`;

/** The generations of the rotated files there now, oldest (highest) first. */
export async function rotatedGenerations(logPath: string): Promise<number[]> {
  const prefix = `${basename(logPath)}.`;
  const names = await readdir(dirname(logPath));
  return names
    .filter((name) => name.startsWith(prefix) && /^[1-9]\d*$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => b - a);
}

export interface OpenLogFile {
  handle: FileHandle;
  ino: number;
}

/**
 * Opens every file of a log, oldest first, the current one (if it exists yet) last. Open handles
 * keep reading what they hold even if a rotation renames or deletes the files meanwhile; a file
 * seen twice (renamed between two opens) is kept once.
 */
export async function openLogFiles(
  logPath: string,
  maxFiles: number,
): Promise<{ files: OpenLogFile[]; current: OpenLogFile | null }> {
  const current = await openIfPresent(logPath);
  const seen = new Set(current ? [current.ino] : []);
  const rotated: OpenLogFile[] = [];
  try {
    for (let generation = 1; generation < maxFiles; generation++) {
      const file = await openIfPresent(rotatedLogPath(logPath, generation));
      if (!file) continue;
      if (seen.has(file.ino)) {
        await file.handle.close();
        continue;
      }
      seen.add(file.ino);
      rotated.unshift(file);
    }
  } catch (error) {
    await closeLogFiles([...rotated, ...(current ? [current] : [])]);
    throw error;
  }
  return { files: current ? [...rotated, current] : rotated, current };
}

export async function openIfPresent(path: string): Promise<OpenLogFile | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return { handle, ino: (await handle.stat()).ino };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export async function closeLogFiles(files: readonly OpenLogFile[]): Promise<void> {
  await Promise.all(files.map((file) => file.handle.close()));
}

/** Bytes read at a time: one read is one batch of lines, so it bounds both memory and messages. */
export const READ_CHUNK_BYTES = 64 * 1024;
/** conmon's records are at most 8 KiB of output plus a header; anything longer is not a record. */
const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * Whole records from `offset`: text ending at a newline and the offset after it, or null when no
 * whole record follows yet (the end of the file, or a record conmon is still writing).
 */
export async function readRecords(
  handle: FileHandle,
  offset: number,
): Promise<{ text: string; next: number } | null> {
  for (let size = READ_CHUNK_BYTES; ; size *= 4) {
    const buffer = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(buffer, 0, size, offset);
    if (bytesRead === 0) return null;
    const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
    if (end > 0) return { text: buffer.toString('utf8', 0, end), next: offset + end };
    if (bytesRead < size) return null;
    // Bytes without a newline this long are not conmon's: skipped, so reading never stalls on them.
    if (size >= MAX_RECORD_BYTES) return { text: '', next: offset + bytesRead };
  }
}
