import { alignColumns } from './format/table.js';

export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The one place CLI output goes through: results to stdout, diagnostics to stderr. */
export class Reporter {
  constructor(private readonly streams: CliStreams) {}

  /** Writes text as is (callers add newlines). */
  write(text: string): void {
    this.streams.stdout.write(text);
  }

  line(text = ''): void {
    this.streams.stdout.write(`${text}\n`);
  }

  lines(lines: readonly string[]): void {
    for (const line of lines) this.line(line);
  }

  /** Writes text to stderr as is (a container's stderr). */
  writeError(text: string): void {
    this.streams.stderr.write(text);
  }

  error(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  /** Columns padded like Docker's tabwriter (3 spaces of padding, columns at least `minWidth`). */
  table(headers: readonly string[], rows: readonly (readonly string[])[], minWidth?: number): void {
    this.lines(
      alignColumns(
        [headers, ...rows].map((row) => row.join('\t')),
        minWidth,
      ),
    );
  }
}
