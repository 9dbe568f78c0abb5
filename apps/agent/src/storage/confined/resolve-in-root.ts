import { closeSync, constants, lstatSync, mkdirSync, openSync, readlinkSync } from 'node:fs';
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
  return walkInRoot(root, path, {
    lastIsEntry: true,
    onMissing: () => {
      throw missing();
    },
  });
}

/**
 * The directory `path` inside `root`, resolved as resolveInRoot does, as an open descriptor (the
 * caller closes it); null when it, or a directory on the way, does not exist or is no directory.
 */
export function openDirectoryInRoot(root: string, path: string): number | null {
  const absent = new Error('absent');
  try {
    return walkInRoot(root, path, {
      lastIsEntry: false,
      onMissing: () => {
        throw absent;
      },
    }).parentFd;
  } catch (error) {
    if (error === absent) return null;
    throw error;
  }
}

/**
 * `mkdir -p` of `path` inside `root`, resolved as resolveInRoot does: symlinks on the way (an
 * image's `/app -> /srv/app`, or one pointing above the root) lead to directories inside the root,
 * never on the host. Directories made get `mode` less the umask; a non-directory on the way throws.
 */
export function makeDirectoryInRoot(root: string, path: string, mode = 0o755): void {
  const { parentFd } = walkInRoot(root, path, {
    lastIsEntry: false,
    onMissing: (parentFd, name, error) => {
      if (code(error) !== 'ENOENT') throw error;
      try {
        mkdirSync(at(parentFd, name), { mode });
      } catch (made) {
        if (code(made) !== 'EEXIST') throw made; // made meanwhile: looked at again like any other
      }
    },
  });
  closeSync(parentFd);
}

interface WalkOptions {
  /**
   * Whether the last component is the entry wanted (returned as its parent and name, need not
   * exist) or a directory to open like the ones before it (returned as `parentFd`, name null).
   */
  lastIsEntry: boolean;
  /**
   * A directory on the way is missing (ENOENT) or no directory (ENOTDIR): throw, or make it and
   * return to have the component looked at again.
   */
  onMissing: (parentFd: number, name: string, error: unknown) => void;
}

/** The one walk behind the functions above; see resolveInRoot. */
function walkInRoot(root: string, path: string, options: WalkOptions): ResolvedInRoot {
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
      if (pending.length === 0 && options.lastIsEntry) {
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
        if (code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') throw error;
        options.onMissing(current, part, error);
        pending.unshift(part);
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
