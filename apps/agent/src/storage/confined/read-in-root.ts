import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { StevedoreError } from '@stevedore/shared/errors';
import { at, OPEN_NOFOLLOW } from './fd-path.js';
import { resolveInRoot } from './resolve-in-root.js';

/** Bytes read at most: the files read this way are small (/etc/passwd, /etc/group). */
const MAX_BYTES = 4 << 20;

/**
 * A small file's text inside a container root, resolved as the container sees it (resolveInRoot)
 * and opened without following a symlink swapped in meanwhile. A missing file, a directory or
 * anything else that is no regular file reads as null.
 */
export function readTextInRoot(root: string, path: string): string | null {
  let resolved: ReturnType<typeof resolveInRoot>;
  try {
    resolved = resolveInRoot(root, path);
  } catch (error) {
    if ((error as StevedoreError).code === 'NOT_FOUND') return null;
    throw error;
  }
  const { parentFd, name } = resolved;
  try {
    if (name === null) return null;
    let fd: number;
    try {
      fd = openSync(at(parentFd, name), OPEN_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      if (['ENOENT', 'ELOOP'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
      throw error;
    }
    try {
      // Sized before it is read: the container may have made it huge (or a fifo, which the
      // non-blocking open keeps from hanging), and it is read into memory whole.
      const stats = fstatSync(fd);
      if (!stats.isFile()) return null;
      if (stats.size > MAX_BYTES) {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          `${path} in the container is larger than ${MAX_BYTES} bytes`,
          {
            path,
          },
        );
      }
      const text = Buffer.alloc(stats.size);
      return text.subarray(0, readSync(fd, text, 0, stats.size, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } finally {
    closeSync(parentFd);
  }
}
