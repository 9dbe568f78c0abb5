import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StevedoreError } from '@stevedore/shared';
import type { Runc } from './runc.js';

export interface ConmonLaunch {
  id: string;
  name: string;
  bundle: string;
  /** runc writes the container's init pid here. */
  pidFile: string;
  conmonPidFile: string;
  /** conmon writes `<exitDir>/<id>` holding the exit code when the container ends. */
  exitDir: string;
  /** conmon writes an `oom` file here when the kernel OOM-kills the container. */
  persistDir: string;
  socketDir: string;
  /** conmon's own `--log-size-max` is not used: the agent rotates (see logs/log-rotation.ts). */
  logPath: string;
  /** `--log-driver none`: conmon writes no log at all (output reaches only an attached client). */
  noLog?: boolean;
  terminal: boolean;
  stdin: boolean;
}

/**
 * Starts conmon for one container. conmon runs `runc create`, reports the container's pid on the
 * sync pipe (fd 3, named by `_OCI_SYNCPIPE`), then stays as the container's monitor: it holds
 * stdio, writes the log and records the exit code, independent of the agent's lifetime.
 * Resolves with the pid once the container is created (not yet started).
 */
export function launchConmon(conmonBinary: string, runc: Runc, options: ConmonLaunch): Promise<number> {
  // biome-ignore format: one flag and its value per line
  const args = [
    '--api-version', '1',
    '-c', options.id,
    '-u', options.id,
    '-n', options.name,
    '-r', runc.binary,
    ...runc.globalArgs.flatMap((arg) => ['--runtime-arg', arg]),
    '-b', options.bundle,
    '-p', options.pidFile,
    '--conmon-pidfile', options.conmonPidFile,
    '--exit-dir', options.exitDir,
    '-0', options.persistDir,
    '--socket-dir-path', options.socketDir,
    // conmon's own "none" driver needs the colon: a bare `none` would be a k8s-file path.
    '-l', options.noLog ? 'none:' : `k8s-file:${options.logPath}`,
    ...(options.terminal ? ['-t'] : []),
    ...(options.stdin ? ['-i'] : []),
    '--log-level', 'error',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(conmonBinary, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3' },
      // conmon writes files such as `oom` into its working directory: keep them in the bundle.
      cwd: options.bundle,
      detached: true,
    });
    let stderr = '';
    let settled = false;
    const syncPipe = child.stdio[3] as Readable;
    const finish = (error: Error | null, pid?: number) => {
      if (settled) return;
      settled = true;
      // conmon keeps its end for exec status reports; the agent has what it needs.
      syncPipe.destroy();
      child.stderr?.destroy();
      child.unref();
      if (error) reject(error);
      else resolve(pid!);
    };
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    let buffered = '';
    syncPipe.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('}');
      if (end < 0) return;
      const message = JSON.parse(buffered.slice(0, end + 1)) as { data: number; message?: string };
      if (message.data > 0) finish(null, message.data);
      else finish(createFailure(options.id, message.message ?? stderr));
    });
    syncPipe.on('end', () => finish(createFailure(options.id, stderr || 'conmon exited without a pid')));
    child.on('error', (error) =>
      finish(
        new StevedoreError('UNAVAILABLE', `cannot run conmon: ${error.message}`, { container: options.id }),
      ),
    );
  });
}

function createFailure(id: string, message: string): StevedoreError {
  return new StevedoreError(
    'FAILED_PRECONDITION',
    `OCI runtime create failed: ${cleanRuntimeMessage(message)}`,
    {
      container: id,
    },
  );
}

/** runc's create errors arrive wrapped in logfmt; keep the human part. */
export function cleanRuntimeMessage(message: string): string {
  const text = message.trim();
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  return (msg ?? text).replace(/\\"/g, '"').replace(/^runc create failed: /, '');
}
