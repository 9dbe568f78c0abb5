import assert from 'node:assert/strict';
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
    env: { ...inherited, ...env } as NodeJS.ProcessEnv,
    timeoutMs,
    what: `stevedore ${args.join(' ')}`,
    ...(input !== undefined ? { input } : {}),
  });
}

/** The CLI pointed at one agent (`-H <host>`), as most test files drive it. */
export interface AgentCli {
  /** `stevedore -H <host> ...args`, whatever its exit code. */
  cli(...args: string[]): Promise<CliResult>;
  /** The same, asserting exit code 0 (stderr in the message otherwise): its stdout. */
  ok(...args: string[]): Promise<string>;
}

/**
 * `host` is read at every call (a function for an agent started in `before` or restarted
 * mid-test); `trim` makes `ok` give stdout without surrounding whitespace (IDs, one-line answers).
 */
export function agentCli(
  host: string | (() => string),
  { timeoutMs = 20_000, trim = false }: { timeoutMs?: number; trim?: boolean } = {},
): AgentCli {
  const cli = (...args: string[]) =>
    runCli(['-H', typeof host === 'string' ? host : host(), ...args], {}, timeoutMs);
  const ok = async (...args: string[]) => {
    const result = await cli(...args);
    assert.equal(result.code, 0, `stevedore ${args.join(' ')}: ${result.stderr}`);
    return trim ? result.stdout.trim() : result.stdout;
  };
  return { cli, ok };
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
