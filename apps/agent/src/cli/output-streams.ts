/** The exit status of a process ended by SIGPIPE, as a shell reports `docker logs x | head`. */
const SIGPIPE_STATUS = 128 + 13;

/**
 * When the reader of stdout or stderr goes away (`stevedore logs x | head`), the CLI ends at once
 * and says nothing, as Docker's does (Go dies of SIGPIPE; Node ignores the signal and reports
 * EPIPE as an error event, which unhandled printed a stack trace).
 */
export function exitQuietlyWhenOutputCloses(
  streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(SIGPIPE_STATUS);
      throw error;
    });
  }
}

/**
 * Resolves once everything written to stdout and stderr has reached the reader: a pipe whose
 * reader is slower than the CLI holds writes in the stream, and exiting before they are out
 * would lose the end of the output (seen with `logs` of 250,000 lines).
 */
export async function flushOutput(
  streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr],
): Promise<void> {
  await Promise.all(
    streams.map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))),
  );
}
