import type { LogLine } from '@stevedore/shared';

/** One k8s-file record (`<time> <stream> <F|P> <text>\n`) and where it lies in its file. */
export interface LogRecord {
  start: number;
  /** Just after its newline. */
  end: number;
  /** Where its time ends (file offset); the time is decoded only for lines that are kept. */
  timeEnd: number;
  stream: LogLine['stream'];
  /** P: the line goes on in the next record of the same stream. */
  continued: boolean;
  /** Where the text begins (after the tag and its space). */
  textStart: number;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;

/**
 * The records of `buffer[from, to)` (`to` just after a newline), with positions in the file
 * (`base` is the file offset of `buffer[0]`). Lines that are not records are skipped.
 */
export function parseRecords(buffer: Buffer, from: number, to: number, base: number): LogRecord[] {
  const records: LogRecord[] = [];
  let start = from;
  while (start < to) {
    let end = buffer.indexOf(NEWLINE, start);
    if (end === -1 || end >= to) end = to - 1;
    const record = parseRecord(buffer, start, end, base);
    if (record) records.push(record);
    start = end + 1;
  }
  return records;
}

const STDOUT = Buffer.from('stdout');
const STDERR = Buffer.from('stderr');

/** `stdout` or `stderr` at `at`, compared as bytes (this runs once per record of a whole-log scan). */
function streamAt(buffer: Buffer, at: number): LogLine['stream'] | null {
  if (buffer.compare(STDOUT, 0, 6, at, at + 6) === 0) return 'stdout';
  if (buffer.compare(STDERR, 0, 6, at, at + 6) === 0) return 'stderr';
  return null;
}

/** The record in `buffer[start, newline)`, or null when the line is not one. */
function parseRecord(buffer: Buffer, start: number, newline: number, base: number): LogRecord | null {
  const timeEnd = buffer.indexOf(SPACE, start);
  if (timeEnd <= start || timeEnd >= newline) return null;
  // `stdout` and `stderr` are both six bytes; the tag follows them and a space.
  const streamEnd = timeEnd + 7;
  if (streamEnd + 1 > newline || buffer[streamEnd] !== SPACE) return null;
  const name = streamAt(buffer, timeEnd + 1);
  if (name === null) return null;
  const tag = buffer[streamEnd + 1];
  if (tag !== 0x46 /* F */ && tag !== 0x50 /* P */) return null;
  const afterTag = streamEnd + 2;
  if (afterTag < newline && buffer[afterTag] !== SPACE) return null;
  return {
    start: base + start,
    end: base + newline + 1,
    timeEnd: base + timeEnd,
    stream: name,
    continued: tag === 0x50,
    textStart: base + Math.min(afterTag + 1, newline),
  };
}

/** A whole line of the log: its records joined, from the first one's start to the last one's end. */
export interface AssembledLine extends LogLine {
  /** The file's index in the reader's list (the assembler's). */
  file: number;
  start: number;
  end: number;
}

/** Which lines a scan keeps, by their text and stream; the others are never built. */
export type LineTest = (text: string, stream: LogLine['stream']) => boolean;

const timeOf = (record: LogRecord, buffer: Buffer, base: number) =>
  buffer.toString('latin1', record.start - base, record.timeEnd - base);

/**
 * Joins records into lines: partial (P) records wait for the next record of their stream. Text
 * is read from the buffer the records were parsed from (`base` its file offset). With `keep`, a
 * line it refuses is dropped before anything but its text is decoded: a whole-log search then
 * allocates little more than one string per line.
 */
export class LineAssembler {
  private readonly open: Partial<Record<LogLine['stream'], { start: number; time: string; text: string }>> =
    {};

  constructor(
    private readonly file = 0,
    private readonly keep: LineTest | null = null,
  ) {}

  push(record: LogRecord, buffer: Buffer, base: number): AssembledLine | null {
    const text = buffer.toString('utf8', record.textStart - base, record.end - 1 - base);
    const pending = this.open[record.stream];
    if (record.continued) {
      this.open[record.stream] = pending
        ? { ...pending, text: pending.text + text }
        : { start: record.start, time: timeOf(record, buffer, base), text };
      return null;
    }
    delete this.open[record.stream];
    const file = this.file;
    if (!pending) {
      if (this.keep && !this.keep(text, record.stream)) return null;
      return {
        stream: record.stream,
        time: timeOf(record, buffer, base),
        text,
        file,
        start: record.start,
        end: record.end,
      };
    }
    const joined = pending.text + text;
    if (this.keep && !this.keep(joined, record.stream)) return null;
    return {
      stream: record.stream,
      time: pending.time,
      text: joined,
      file,
      start: pending.start,
      end: record.end,
    };
  }

  /** Where the earliest line still waiting for its end begins, or null. */
  openStart(): number | null {
    const starts = Object.values(this.open).map((line) => line.start);
    return starts.length > 0 ? Math.min(...starts) : null;
  }

  /** The lines still waiting, as partial lines ending at `end` (their writer moved on or is done). */
  flush(end: number): AssembledLine[] {
    const lines = Object.entries(this.open)
      .map(([stream, line]) => ({
        stream: stream as LogLine['stream'],
        time: line.time,
        text: line.text,
        partial: true,
        file: this.file,
        start: line.start,
        end,
      }))
      .sort((a, b) => a.start - b.start);
    for (const stream of ['stdout', 'stderr'] as const) delete this.open[stream];
    return lines;
  }
}
