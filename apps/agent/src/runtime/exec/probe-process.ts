import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { HEALTH_OUTPUT_BYTES } from '@stevedore/shared';
import type { Logger } from '../../util/logger.js';

/** How often a timed-out probe is looked for (and killed) until runc returns. */
const REAP_EVERY_MS = 50;
/** How long runc may take to return after its timed-out probe is killed. */
const RUNC_GRACE_MS = 10_000;

export interface ProbeOutcome {
  /** The probe's exit code; null when it timed out or runc could not run it. */
  exitCode: number | null;
  /** stdout and stderr together, the first 4 KiB ("..." when more was cut, as Docker). */
  output: string;
  timedOut: boolean;
  /** runc's own last words when it failed before the command ran. */
  runtimeError: string | null;
}

/** Output kept up to a cap, as Docker's limitedBuffer: the rest is dropped and marked "...". */
class CappedOutput {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private truncated = false;

  write(chunk: Buffer): void {
    const keep = Math.min(HEALTH_OUTPUT_BYTES - this.size, chunk.length);
    if (keep > 0) {
      this.parts.push(chunk.subarray(0, keep));
      this.size += keep;
    }
    if (keep < chunk.length) this.truncated = true;
  }

  text(): string {
    const text = Buffer.concat(this.parts).toString('utf8');
    return this.truncated ? `${text}...` : text;
  }
}

/**
 * Runs a healthcheck probe (`runc exec` with a process file already written): output kept in a
 * capped buffer, and at `timeoutMs` the probe process and everything it started are killed.
 */
export async function runProbeProcess(options: {
  runcBinary: string;
  runcArgs: string[];
  pidFile: string;
  timeoutMs: number;
  log: Logger;
}): Promise<ProbeOutcome> {
  const output = new CappedOutput();
  let runcText = '';
  const child = spawn(options.runcBinary, options.runcArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => output.write(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    runcText = (runcText + chunk.toString('utf8')).slice(-4096);
    output.write(chunk);
  });
  let timedOut = false;
  let closed = false;
  let lastResort: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    // Until runc returns: a probe that runc is still starting (a loaded host) has no pid file
    // yet, and is killed as soon as it has one.
    const reap = async () => {
      while (!closed) {
        await killProbeTree(options.pidFile);
        await new Promise((resolve) => setTimeout(resolve, REAP_EVERY_MS));
      }
    };
    reap().catch((error) =>
      options.log.debug({ err: error, pidFile: options.pidFile }, 'killing a timed-out probe failed'),
    );
    // A runc that still waits long after its process was killed is killed itself.
    lastResort = setTimeout(() => child.kill('SIGKILL'), RUNC_GRACE_MS);
  }, options.timeoutMs);
  const code = await new Promise<number>((resolve) => {
    child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 137 : 255)));
    child.on('error', (error) => {
      runcText += error.message;
      resolve(255);
    });
  });
  closed = true;
  clearTimeout(timer);
  clearTimeout(lastResort);
  if (timedOut) return { exitCode: null, output: '', timedOut: true, runtimeError: null };
  if (code === 255 && /exec failed|unable to start|OCI runtime|runc/i.test(runcText)) {
    const message = runcText.trim().split('\n').at(-1) ?? 'runc exec failed';
    return { exitCode: null, output: '', timedOut: false, runtimeError: message };
  }
  return { exitCode: code, output: output.text(), timedOut: false, runtimeError: null };
}

/** SIGKILL to the probe's process (runc's pid file) and its descendants, children first found. */
async function killProbeTree(pidFile: string): Promise<void> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const root = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(root) || root <= 1) return;
  const pids = [root];
  for (let i = 0; i < pids.length && pids.length < 1024; i++) pids.push(...(await childrenOf(pids[i]!)));
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone: nothing of it is left to kill.
    }
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children: number[] = [];
  for (const task of tasks) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    children.push(...text.split(/\s+/).filter(Boolean).map(Number));
  }
  return children;
}
