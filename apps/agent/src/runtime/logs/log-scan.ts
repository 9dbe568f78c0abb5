import { type AssembledLine, LineAssembler, type LineTest, parseRecords } from './log-records.js';
import type { FilePosition, ViewFile } from './log-view-files.js';

/** A line of a scan, with the file it is in. */
export type ScanLine = AssembledLine;

/** One read's lines (oldest first) and where a reader that stops after them goes on. */
export interface ScanBatch {
  lines: ScanLine[];
  resume: FilePosition;
  bytes: number;
}

/** Bytes read at a time. */
export const SCAN_BLOCK_BYTES = 256 * 1024;
/** A "record" longer than this is not conmon's (its records are ≤ 8 KiB of text): skipped. */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * The log's lines from `from` to its end, a block at a time. A line still being written at the
 * end of the newest file (partial records without their end) is left for a later read unless
 * `writerDone`; one cut at the end of a rotated file comes as a partial line. With `keep`, only
 * the whole lines it accepts are in the batches (a search's candidates); cut lines always are.
 */
export async function* scanForward(
  files: readonly ViewFile[],
  from: FilePosition,
  writerDone: boolean,
  keep: LineTest | null = null,
): AsyncGenerator<ScanBatch> {
  for (let index = from.file; index < files.length; index++) {
    const file = files[index] as ViewFile;
    const newest = index === files.length - 1;
    const assembler = new LineAssembler(index, keep);
    let offset = index === from.file ? from.offset : 0;
    let size = SCAN_BLOCK_BYTES;
    for (;;) {
      const buffer = Buffer.allocUnsafe(size);
      const bytes = await file.read(buffer, offset, size);
      const whole = buffer.subarray(0, bytes).lastIndexOf(0x0a) + 1;
      if (whole === 0) {
        if (bytes === size && size < MAX_BLOCK_BYTES) {
          size *= 4;
          continue;
        }
        if (bytes === size) {
          offset += bytes; // not a record: skipped so reading never stalls on it
          continue;
        }
        // The end of the file (or a record still being written).
        const open = assembler.openStart();
        if (!newest || writerDone) {
          const cut = assembler.flush(offset);
          yield {
            lines: cut,
            resume: newest ? { file: index, offset } : { file: index + 1, offset: 0 },
            bytes: 0,
          };
        } else {
          yield { lines: [], resume: { file: index, offset: open ?? offset }, bytes: 0 };
        }
        break;
      }
      size = SCAN_BLOCK_BYTES;
      const lines: ScanLine[] = [];
      for (const record of parseRecords(buffer, 0, whole, offset)) {
        const line = assembler.push(record, buffer, offset);
        if (line) lines.push(line);
      }
      offset += whole;
      const open = assembler.openStart();
      yield { lines, resume: { file: index, offset: open ?? offset }, bytes: whole };
    }
  }
}

/**
 * The log's lines before `from` back to its start, a block at a time: each batch oldest first,
 * the batches newest first. Blocks begin just after a full (F) record, so a line's partial
 * records are never split between two blocks. `keep` as for scanForward.
 */
export async function* scanBackward(
  files: readonly ViewFile[],
  from: FilePosition,
  writerDone: boolean,
  keep: LineTest | null = null,
): AsyncGenerator<ScanBatch> {
  for (let index = from.file; index >= 0; index--) {
    const file = files[index] as ViewFile;
    let end = index === from.file ? Math.min(from.offset, file.size) : file.size;
    // Lines still open at the end of the file are cut there (partial); open at a cursor, they end later.
    let cutOpenLines = end === file.size && (index < files.length - 1 || writerDone);
    let size = SCAN_BLOCK_BYTES;
    while (end > 0) {
      const start = Math.max(0, end - size);
      const buffer = Buffer.allocUnsafe(end - start);
      const bytes = await file.read(buffer, start, end - start);
      // The last bytes may be a record still being written (the file grew since it was opened).
      const whole = buffer.subarray(0, bytes).lastIndexOf(0x0a) + 1;
      let first = 0;
      if (start > 0) {
        first = alignAfterFullRecord(buffer, whole, start);
        if (first === -1) {
          if (size < MAX_BLOCK_BYTES) {
            size *= 4;
            continue;
          }
          // An oversized run of partial records: cut at a record boundary, always moving on.
          first = buffer.indexOf(0x0a) + 1;
          if (first <= 0 || first >= whole) first = 0;
        }
      }
      const assembler = new LineAssembler(index, keep);
      const lines: ScanLine[] = [];
      for (const record of parseRecords(buffer, first, whole, start)) {
        const line = assembler.push(record, buffer, start);
        if (line) lines.push(line);
      }
      if (cutOpenLines) {
        lines.push(...assembler.flush(start + whole));
        lines.sort((a, b) => a.start - b.start);
      }
      cutOpenLines = false;
      yield { lines, resume: { file: index, offset: start + first }, bytes: whole - first };
      end = start + first;
      size = SCAN_BLOCK_BYTES;
    }
  }
}

/**
 * In a block read backwards, where the first line that lies wholly in it begins: just after
 * the first full (F) record (its newline found by scanning), or -1 if the block holds none.
 */
function alignAfterFullRecord(buffer: Buffer, whole: number, base: number): number {
  for (let start = buffer.indexOf(0x0a) + 1; start > 0 && start < whole; ) {
    const newline = buffer.indexOf(0x0a, start);
    const [record] = parseRecords(buffer, start, newline + 1, base);
    // Only a boundary with a whole line after it in the block moves the reading on.
    if (record && !record.continued) return newline + 1 < whole ? newline + 1 : -1;
    start = newline + 1;
  }
  return -1;
}
