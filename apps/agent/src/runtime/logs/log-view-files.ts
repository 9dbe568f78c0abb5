import type { LogCursor, LogFrom } from '@stevedore/shared';
import { toNanos } from '../../util/time-bound.js';
import { closeLogFiles, type OpenLogFile, openIfPresent, rotatedLogPath } from './log-files.js';

/** One file of a log as a view reads it: identity for cursors, size when opened, and reads. */
export interface ViewFile {
  ino: number;
  /** The time of its first record ('' while empty). */
  head: string;
  size: number;
  read(buffer: Buffer, position: number, length: number): Promise<number>;
}

/** A file index and a byte offset in it (at a record boundary). */
export interface FilePosition {
  file: number;
  offset: number;
}

/** The time a file's first record carries: the text before its first space. */
export async function readHead(read: ViewFile['read']): Promise<string> {
  const buffer = Buffer.alloc(64);
  const bytes = await read(buffer, 0, buffer.length);
  const space = buffer.subarray(0, bytes).indexOf(0x20);
  return space > 0 ? buffer.toString('latin1', 0, space) : '';
}

/**
 * Every file of a log, oldest first: `<log>.N` … `<log>.1` and `<log>`. They are opened newest
 * first: a rotation meanwhile moves the files to older names, so a file is at worst met twice
 * (kept once: the same inode, as `<log>.1` and `<log>` are until conmon reopens), never passed
 * over. Handles read what they hold even if a rotation renames or deletes the files later.
 */
export async function openViewFiles(
  logPath: string,
  maxFiles: number,
): Promise<{ files: ViewFile[]; handles: OpenLogFile[] }> {
  const paths = [
    logPath,
    ...Array.from({ length: Math.max(0, maxFiles - 1) }, (_, i) => rotatedLogPath(logPath, i + 1)),
  ];
  const handles: OpenLogFile[] = [];
  const files: ViewFile[] = [];
  try {
    for (const path of paths) {
      const opened = await openIfPresent(path);
      if (!opened) continue;
      if (handles.some((file) => file.ino === opened.ino)) {
        await opened.handle.close();
        continue;
      }
      handles.unshift(opened);
      files.unshift(await viewOf(opened));
    }
  } catch (error) {
    await closeLogFiles(handles);
    throw error;
  }
  return { files, handles };
}

async function viewOf(opened: OpenLogFile): Promise<ViewFile> {
  const read: ViewFile['read'] = async (buffer, position, length) =>
    (await opened.handle.read(buffer, 0, length, position)).bytesRead;
  return { ino: opened.ino, head: await readHead(read), size: (await opened.handle.stat()).size, read };
}

export function cursorAt(files: readonly ViewFile[], position: FilePosition): LogCursor {
  const file = files[position.file];
  if (!file) return { ino: 0, head: '', offset: 0 };
  return { ino: file.ino, head: file.head, offset: position.offset };
}

const nanos = (time: string): bigint | null => {
  try {
    return toNanos(time);
  } catch {
    return null;
  }
};

/**
 * Where a cursor points in the files as they are now. A file it names that is gone (rotated out
 * past max-file) is placed by time: reading forwards goes on with the first file written after
 * it, so nothing is read twice; backwards there is nothing left before it.
 */
export function resolveFrom(
  files: readonly ViewFile[],
  from: LogFrom,
  direction: 'forward' | 'backward',
): FilePosition | null {
  if (files.length === 0) return null;
  if (from === 'start') return { file: 0, offset: 0 };
  const last = files.length - 1;
  if (from === 'end') return { file: last, offset: (files[last] as ViewFile).size };
  const index = files.findIndex(
    (file) => file.ino === from.ino && (from.head === '' || file.head === '' || file.head === from.head),
  );
  if (index !== -1) return { file: index, offset: from.offset };
  if (direction === 'backward') return { file: 0, offset: 0 };
  const cursorTime = nanos(from.head);
  const later = files.findIndex((file) => {
    const head = nanos(file.head);
    return cursorTime === null || head === null || head > cursorTime;
  });
  return later === -1 ? { file: last, offset: (files[last] as ViewFile).size } : { file: later, offset: 0 };
}
