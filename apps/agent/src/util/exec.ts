import { spawn } from 'node:child_process';
import { StevedoreError } from '@stevedore/shared';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Throw a StevedoreError (carrying the command and exit code) when the command fails. */
  check?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs `file` with an argv array — never through a shell, so arguments are passed verbatim.
 * A command that cannot be started (e.g. not installed) yields code 127, as a shell would.
 */
export function execFile(
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    let spawnError: Error | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.on('close', (exitCode, signal) => {
      const code = spawnError ? 127 : (exitCode ?? 128 + signalNumber(signal));
      const result: ExecResult = { code, stdout, stderr: spawnError ? spawnError.message : stderr };
      if (options.check && code !== 0) {
        reject(
          new StevedoreError(
            spawnError ? 'UNAVAILABLE' : 'INTERNAL',
            `${[file, ...args].join(' ')} failed (exit code ${code}): ${result.stderr.trim() || result.stdout.trim()}`,
            { command: [file, ...args], exitCode: code, stderr: result.stderr },
            { cause: spawnError },
          ),
        );
        return;
      }
      resolve(result);
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  if (!signal) return 0;
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };
  return numbers[signal] ?? 0;
}
