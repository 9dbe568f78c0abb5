import { cliBin, repoRoot } from './agent-process.js';
import { type ExitResult, runNodeToExit } from './run-to-exit.js';

export type CliResult = ExitResult;

/** Runs the real `stevedore` CLI binary; STEVEDORE_* from the test's environment are not inherited. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<CliResult> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('STEVEDORE_')),
  );
  return runNodeToExit(cliBin, args, {
    cwd: repoRoot,
    env: { ...inherited, ...env },
    timeoutMs,
    what: `stevedore ${args.join(' ')}`,
  });
}
