import type { FileHandle } from 'node:fs/promises';
import { recordTag } from './k8s-log.js';
import type { OpenLogFile } from './log-files.js';

/** Where reading starts: a file of the list and a byte offset in it. */
export interface LogPosition {
  file: number;
  offset: number;
}

const BLOCK_BYTES = 64 * 1024;
/** Enough of a record's start to hold its time, stream and tag. */
const HEAD_BYTES = 64;

/**
 * `--tail N`: where the last N lines begin, found by reading the files backwards from the end in
 * blocks, so the cost is that of the lines asked for, whatever the size of the log. A line is a
 * full (F) record and the partial (P) records just before it.
 */
export async function findTailStart(files: readonly OpenLogFile[], lines: number): Promise<LogPosition> {
  let found: LogPosition | null = null;
  let count = 0;
  for (let file = files.length - 1; file >= 0; file--) {
    for await (const record of recordsBackward((files[file] as OpenLogFile).handle)) {
      if (found) {
        if (record.tag !== 'P') return found;
        found = { file, offset: record.start };
        continue;
      }
      if (record.tag === 'F' && ++count === lines) found = { file, offset: record.start };
    }
  }
  return found ?? { file: 0, offset: 0 };
}

/** The end of the last whole record of a file (where a reader that wants nothing old starts). */
export async function endOfRecords(handle: FileHandle): Promise<number> {
  for await (const record of recordsBackward(handle)) return record.end;
  return 0;
}

/** Each whole record of a file, last first: where it starts and ends, and its tag. */
async function* recordsBackward(
  handle: FileHandle,
): AsyncGenerator<{ start: number; end: number; tag: 'F' | 'P' | null }> {
  let blockEnd = (await handle.stat()).size;
  // A last record without its newline is still being written: it is not a line yet.
  let recordEnd: number | null = null;
  let after = Buffer.alloc(0);
  while (blockEnd > 0) {
    const blockStart = Math.max(0, blockEnd - BLOCK_BYTES);
    const block = Buffer.allocUnsafe(blockEnd - blockStart);
    const { bytesRead } = await handle.read(block, 0, block.length, blockStart);
    const data = Buffer.concat([block.subarray(0, bytesRead), after.subarray(0, HEAD_BYTES)]);
    for (let newline = bytesRead; newline > 0; ) {
      newline = block.lastIndexOf(0x0a, newline - 1);
      if (newline === -1) break;
      const start = blockStart + newline + 1;
      if (recordEnd !== null && start < recordEnd) {
        yield { start, end: recordEnd, tag: recordTag(data.subarray(newline + 1, newline + 1 + HEAD_BYTES)) };
      }
      recordEnd = start;
    }
    if (blockStart === 0 && recordEnd !== null && recordEnd > 0) {
      yield { start: 0, end: recordEnd, tag: recordTag(data.subarray(0, HEAD_BYTES)) };
    }
    after = block.subarray(0, bytesRead);
    blockEnd = blockStart;
  }
}
