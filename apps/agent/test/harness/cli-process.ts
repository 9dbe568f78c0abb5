import * as pty from 'node-pty';
import { cliBin, repoRoot } from './agent-process.js';
import { type ExitResult, runToExit } from './run-to-exit.js';

export type CliResult = ExitResult;

/** Runs the real `stevedore` CLI binary; STEVEDORE_* from the test's environment are not inherited. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
  /** Text for the CLI's stdin (otherwise stdin is /dev/null). */
  input?: string,
): Promise<CliResult> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('STEVEDORE_')),
  );
  return runToExit(cliBin, args, {
    cwd: repoRoot,
    env: { ...inherited, ...env },
    timeoutMs,
    what: `stevedore ${args.join(' ')}`,
    ...(input !== undefined ? { input } : {}),
  });
}

/**
 * Runs the CLI on a real pseudo-terminal (for -t): `interact` gets the terminal to type into or
 * resize while the CLI runs; resolves with everything it printed and its exit code.
 */
export function runCliInTerminal(
  args: readonly string[],
  size: { cols: number; rows: number },
  interact: (terminal: pty.IPty, output: () => string) => Promise<void> = async () => {},
  timeoutMs = 20_000,
): Promise<{ code: number; output: string }> {
  const terminal = pty.spawn(cliBin, [...args], {
    ...size,
    cwd: repoRoot,
    env: process.env as Record<string, string>,
  });
  let output = '';
  terminal.onData((data) => {
    output += data;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      terminal.kill('SIGKILL');
      reject(
        new Error(`stevedore ${args.join(' ')} did not exit within ${timeoutMs} ms; output:\n${output}`),
      );
    }, timeoutMs);
    terminal.onExit(({ exitCode }) => {
      clearTimeout(timer);
      resolve({ code: exitCode, output });
    });
    interact(terminal, () => output).catch(reject);
  });
}
