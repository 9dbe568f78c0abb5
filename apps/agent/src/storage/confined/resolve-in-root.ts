import { closeSync, constants, lstatSync, openSync, readlinkSync } from 'node:fs';
import { StevedoreError } from '@stevedore/shared/errors';
import { at, fdPath, OPEN_DIRECTORY } from './fd-path.js';

const MAX_SYMLINKS = 255;

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

export interface ResolvedInRoot {
  /** An open descriptor of the directory that holds the entry (the caller closes it). */
  parentFd: number;
  /** The entry's name in that directory; null when the path is the root itself. */
  name: string | null;
}

/**
 * Resolves `path` inside the directory `root` the way a process chrooted there would see it, as
 * openat2(RESOLVE_IN_ROOT) does: absolute symlinks start again at the root, `..` never climbs
 * above it, and every step is an open relative to the previous directory's descriptor with
 * O_NOFOLLOW, so a component a running container swaps for a symlink meanwhile is read as a link
 * and resolved inside the root, never followed on the host. Symlinks in the last component are
 * followed too (as `docker cp` does); the last component need not exist.
 */
export function resolveInRoot(
  root: string,
  path: string,
  /** The error for a directory on the way that does not exist. */
  missing: () => Error = () =>
    new StevedoreError('NOT_FOUND', `Could not find the directory ${parentOf(path)} in container`, { path }),
): ResolvedInRoot {
  const rootFd = openSync(root, constants.O_RDONLY | constants.O_DIRECTORY);
  const stack: number[] = [];
  const closeAll = () => {
    for (const fd of stack.splice(0)) closeSync(fd);
  };
  try {
    const pending = path.split('/').filter((part) => part !== '');
    let symlinks = 0;
    const expand = (target: string) => {
      if (++symlinks > MAX_SYMLINKS) {
        throw new StevedoreError('INVALID_ARGUMENT', `too many levels of symbolic links in "${path}"`, {
          path,
        });
      }
      if (target.startsWith('/')) closeAll();
      pending.unshift(...target.split('/').filter((part) => part !== ''));
    };
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '.') continue;
      if (part === '..') {
        const fd = stack.pop();
        if (fd !== undefined) closeSync(fd);
        continue;
      }
      const current = stack.at(-1) ?? rootFd;
      if (pending.length === 0) {
        const stats = lstatSync(at(current, part), { throwIfNoEntry: false });
        if (stats?.isSymbolicLink()) {
          expand(readLinkIfStill(at(current, part)) ?? part);
          continue;
        }
        return { parentFd: reopen(current), name: part };
      }
      try {
        stack.push(openSync(at(current, part), OPEN_DIRECTORY));
      } catch (error) {
        // O_DIRECTORY | O_NOFOLLOW on a symlink fails with ENOTDIR (or ELOOP).
        const link = code(error) === 'ELOOP' || code(error) === 'ENOTDIR';
        if (link && lstatSync(at(current, part), { throwIfNoEntry: false })?.isSymbolicLink()) {
          const target = readLinkIfStill(at(current, part));
          // Swapped back to a directory since the open: look at the same component again.
          expand(target ?? part);
          continue;
        }
        if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') throw missing();
        throw error;
      }
    }
    return { parentFd: reopen(stack.at(-1) ?? rootFd), name: null };
  } finally {
    closeAll();
    closeSync(rootFd);
  }
}

/** A symlink's target, or null when it is no longer a symlink. */
function readLinkIfStill(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch (error) {
    if (code(error) === 'EINVAL' || code(error) === 'ENOENT') return null;
    throw error;
  }
}

/** A descriptor of its own for an open directory (through its /proc/self/fd link, which must be followed). */
function reopen(fd: number): number {
  return openSync(fdPath(fd), constants.O_RDONLY | constants.O_DIRECTORY);
}

function parentOf(path: string): string {
  const index = path.replace(/\/+$/, '').lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}
