import { spawn } from 'node:child_process';
import { constants, type FileHandle, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';

export const LOCK_FILE = 'agent.lock';

/** The pid is written at the start of the file in a fixed width, so rewriting it never needs a new block. */
const PID_WIDTH = 16;

export interface RootLock {
  root: string;
  /** Closes the file: the kernel drops the lock (as it does when the process dies, even by SIGKILL). */
  release(): Promise<void>;
}

/**
 * Takes an exclusive `flock` on `<root>/agent.lock` for as long as this process holds the file
 * open. Node has no flock, so util-linux's `flock` is handed the open file as its fd 3 and locks
 * it: the lock belongs to the open file description this process keeps, not to the helper, and
 * the kernel releases it when the description closes — by `release()` or by the process dying in
 * any way. Node opens files close-on-exec, so conmon and other children never inherit it.
 *
 * `waitSeconds` 0 refuses at once when another process holds the lock, naming its pid.
 */
export async function lockRoot(root: string, what: string, waitSeconds = 0): Promise<RootLock> {
  const path = join(root, LOCK_FILE);
  const file = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    const code = await flockDescriptor(file, waitSeconds);
    if (code !== 0) {
      const holder = await readHolder(path);
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        `the ${what} ${root} is in use by another stevedore-agent${holder ? ` (pid ${holder})` : ''}: stop it first, or give this agent its own --data-root, --exec-root and socket`,
        { root, holderPid: holder },
      );
    }
    await writeHolder(file);
  } catch (error) {
    await file.close();
    throw error;
  }
  return { root, release: () => file.close() };
}

/** Runs `flock --exclusive --nonblock 3` (or `--wait N`) on the open file; resolves its exit code. */
function flockDescriptor(file: FileHandle, waitSeconds: number): Promise<number> {
  const mode = waitSeconds > 0 ? ['--wait', String(waitSeconds)] : ['--nonblock'];
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', ...mode, '--conflict-exit-code', '75', '3'], {
      stdio: ['ignore', 'ignore', 'pipe', file.fd],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', (error) =>
      reject(
        new StevedoreError(
          'UNAVAILABLE',
          `cannot run flock (util-linux) to lock the roots: ${error.message}`,
        ),
      ),
    );
    child.once('close', (code) => {
      if (code === 0 || code === 75 || (waitSeconds > 0 && code === 1)) resolve(code ?? 1);
      else reject(new StevedoreError('INTERNAL', `flock failed (exit code ${code}): ${stderr.trim()}`));
    });
  });
}

async function writeHolder(file: FileHandle): Promise<void> {
  const text = `${process.pid}\n`.padEnd(PID_WIDTH, ' ');
  try {
    await file.write(text, 0, 'utf8');
  } catch {
    // A full disk may refuse the very first write of the file: the lock holds all the same, a
    // refused agent then names no pid.
  }
}

async function readHolder(path: string): Promise<number | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
