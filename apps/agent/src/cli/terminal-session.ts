/**
 * The client side of an interactive session (exec -it, run -it, attach): stdin forwarded as it is
 * typed (raw mode on a terminal), its end forwarded as EOF, and terminal resizes forwarded.
 * Returns the cleanup that restores the terminal.
 */
export function forwardTerminal(options: {
  interactive: boolean;
  tty: boolean;
  send(data: Buffer): void;
  eof(): void;
  resize(rows: number, cols: number): void;
}): () => void {
  const cleanups: (() => void)[] = [];
  const { stdin, stdout } = process;
  if (options.interactive) {
    const onData = (chunk: Buffer) => options.send(chunk);
    const onEnd = () => options.eof();
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    if (options.tty && stdin.isTTY) {
      stdin.setRawMode(true);
      cleanups.push(() => stdin.setRawMode(false));
    }
    stdin.resume();
    cleanups.push(() => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
    });
  }
  if (options.tty && stdout.isTTY) {
    const onResize = () => options.resize(stdout.rows, stdout.columns);
    process.on('SIGWINCH', onResize);
    cleanups.push(() => process.off('SIGWINCH', onResize));
  }
  return () => {
    for (const cleanup of cleanups.reverse()) cleanup();
  };
}

/** The size to open a remote terminal with. */
export const terminalSize = () => ({ rows: process.stdout.rows || 24, cols: process.stdout.columns || 80 });

/**
 * For input, EOF and resizes sent to a session: the agent refuses them once the process has
 * exited, and that end reaches the user through the session's own output stream, so a refusal
 * here loses nothing the user could act on.
 */
export const ignoreAfterSessionEnd = (): undefined => undefined;
