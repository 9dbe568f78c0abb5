import { lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { StevedoreError } from '@stevedore/shared';

/** Whether something accepts connections on a unix socket. */
export function socketAnswers(path: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Makes `path` ready to listen on: creates its directory (0700) and removes a stale socket left by
 * an agent that died, but never takes the socket from an agent that still answers on it.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stats.isSocket()) {
    throw new StevedoreError(
      'FAILED_PRECONDITION',
      `${path} exists and is not a socket; refusing to replace it`,
      {
        path,
      },
    );
  }
  if (await socketAnswers(path)) {
    throw new StevedoreError('CONFLICT', `another agent is listening on unix://${path}`, { path });
  }
  await unlink(path);
}
