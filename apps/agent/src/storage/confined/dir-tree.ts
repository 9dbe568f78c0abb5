import { closeSync, constants, lstatSync, mkdirSync, openSync } from 'node:fs';
import { at, OPEN_DIRECTORY } from './fd-path.js';

/** Why a path inside the tree cannot be used: the caller turns it into its own error. */
export class TreeRefusal extends Error {
  constructor(
    readonly component: string,
    readonly reason: 'symlink' | 'not-a-directory',
  ) {
    super(
      reason === 'symlink'
        ? `"${component}" is a symlink (it could lead outside)`
        : `"${component}" is not a directory`,
    );
  }
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** Open directories kept for the next entries: tar entries come grouped by directory. */
const MAX_CACHED = 256;

/**
 * A directory tree that is worked on only through file descriptors of its directories: each
 * component is opened relative to its parent's descriptor with O_NOFOLLOW | O_DIRECTORY, so no
 * symlink inside the tree (planted by an image layer, or swapped in by a running container) is
 * ever followed, and nothing can be reached that is not below the root. Operations on an entry use
 * `at(parentFd, name)` with no-follow calls.
 *
 * Descriptors of directories looked up recently are cached (keyed by their path inside the tree);
 * `forget` drops those at or below a path that was removed or replaced.
 */
export class DirTree {
  readonly rootFd: number;
  private readonly cached = new Map<string, { fd: number; used: number }>();
  /** Lookups of the current operation: their descriptors are never evicted while it runs. */
  private operation = 0;

  /** `root` is trusted (the layer directory, or `/proc/self/fd/N` of a directory already opened). */
  constructor(root: string) {
    this.rootFd = openSync(root, constants.O_RDONLY | constants.O_DIRECTORY);
  }

  /** Starts a new operation: descriptors handed out before may be closed from now on. */
  nextOperation(): void {
    this.operation++;
  }

  /**
   * The directory at `components` below the root. Missing directories are made (mode 0755 less the
   * umask) when `create`, else the result is null. Throws TreeRefusal for a symlink or a
   * non-directory on the way.
   */
  directory(components: readonly string[], create: boolean): number | null {
    if (components.length === 0) return this.rootFd;
    // Entries come grouped by directory: most lookups are of a directory already open.
    const whole = this.cached.get(components.join('/'));
    if (whole) {
      whole.used = this.operation;
      return whole.fd;
    }
    let fd = this.rootFd;
    let key = '';
    for (const part of components) {
      key = key === '' ? part : `${key}/${part}`;
      const hit = this.cached.get(key);
      if (hit) {
        hit.used = this.operation;
        fd = hit.fd;
        continue;
      }
      const opened = this.openChild(fd, part, create);
      if (opened === null) return null;
      this.remember(key, opened);
      fd = opened;
    }
    return fd;
  }

  /** Keeps `fd` (a directory this caller opened at `key`) for later lookups; the tree closes it. */
  remember(key: string, fd: number): void {
    const previous = this.cached.get(key);
    if (previous && previous.fd !== fd) closeSync(previous.fd);
    this.cached.set(key, { fd, used: this.operation });
    if (this.cached.size > MAX_CACHED) this.evict();
  }

  cachedDirectory(key: string): number | undefined {
    const hit = this.cached.get(key);
    if (hit) hit.used = this.operation;
    return hit?.fd;
  }

  /** Closes and drops the descriptors of `key` and everything below it (it was removed or replaced). */
  forget(key: string): void {
    const prefix = `${key}/`;
    for (const [path, { fd }] of this.cached) {
      if (path === key || path.startsWith(prefix)) {
        closeSync(fd);
        this.cached.delete(path);
      }
    }
  }

  close(): void {
    for (const { fd } of this.cached.values()) closeSync(fd);
    this.cached.clear();
    closeSync(this.rootFd);
  }

  private openChild(parentFd: number, part: string, create: boolean): number | null {
    const path = at(parentFd, part);
    try {
      return openSync(path, OPEN_DIRECTORY);
    } catch (error) {
      // O_DIRECTORY | O_NOFOLLOW on a symlink fails with ENOTDIR (or ELOOP): tell them apart.
      if (code(error) === 'ELOOP' || code(error) === 'ENOTDIR') {
        const symlink = lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
        throw new TreeRefusal(part, symlink ? 'symlink' : 'not-a-directory');
      }
      if (code(error) !== 'ENOENT' || !create) {
        if (code(error) === 'ENOENT') return null;
        throw error;
      }
    }
    try {
      mkdirSync(path, { mode: 0o755 });
    } catch (error) {
      if (code(error) !== 'EEXIST') throw error; // made meanwhile: opened below like any other
    }
    return this.openChild(parentFd, part, false);
  }

  /** Closes the least recently used descriptors not used by the current operation. */
  private evict(): void {
    const excess = this.cached.size - MAX_CACHED / 2;
    let closed = 0;
    for (const [path, entry] of this.cached) {
      if (closed >= excess) break;
      if (entry.used === this.operation) continue;
      closeSync(entry.fd);
      this.cached.delete(path);
      closed++;
    }
  }
}
