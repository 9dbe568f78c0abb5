import { spawn } from 'node:child_process';

export interface ExitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  what: string;
  input?: string;
}

/** Runs a Node script to completion, collecting its output; SIGKILL and reject after the timeout. */
export function runNodeToExit(
  script: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ExitResult> {
  return runToExit(process.execPath, [script, ...args], options);
}

/** Runs a program to completion, collecting its output; SIGKILL and reject after the timeout. */
export function runToExit(
  program: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ExitResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // No input: stdin is at its end at once, as with /dev/null.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.what} did not exit within ${options.timeoutMs} ms; stderr:\n${stderr}`));
    }, options.timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}
