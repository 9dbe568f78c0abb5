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

  /** Columns padded like Docker's tabwriter (at least 3 spaces between columns). */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    const all = [headers, ...rows];
    const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
    for (const row of all) {
      const cells = row.map((cell, column) =>
        column === row.length - 1 ? cell : cell.padEnd((widths[column] as number) + 3),
      );
      this.line(cells.join('').trimEnd());
    }
  }
}
