import { closeSync, lstatSync, openSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { at, fdPath, OPEN_DIRECTORY } from './fd-path.js';

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** Tries before giving up on a directory that keeps changing under a concurrent writer. */
const MAX_TRIES = 5;

/**
 * Removes `name` from the open directory `dirFd`, a whole tree when it is a directory, without ever
 * following a symlink: each directory is opened with O_NOFOLLOW and emptied through its own file
 * descriptor, so a component swapped for a symlink meanwhile (a running container, a later tar
 * entry) is unlinked as a link, never descended into. (`rmSync(path, { recursive })` lists and
 * unlinks by path and would follow such a swap out of the tree.)
 */
export function removeAt(dirFd: number, name: string): boolean {
  const path = at(dirFd, name);
  for (let tries = 1; ; tries++) {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats) return tries > 1;
    if (!stats.isDirectory()) {
      try {
        unlinkSync(path);
        return true;
      } catch (error) {
        if (code(error) === 'ENOENT') return true;
        if (code(error) !== 'EISDIR' || tries >= MAX_TRIES) throw error;
        continue; // it became a directory meanwhile
      }
    }
    let fd: number;
    try {
      fd = openSync(path, OPEN_DIRECTORY);
    } catch (error) {
      // Swapped for something else since the lstat: look again.
      if (['ELOOP', 'ENOTDIR', 'ENOENT'].includes(code(error) ?? '') && tries < MAX_TRIES) continue;
      throw error;
    }
    try {
      for (const child of readdirSync(fdPath(fd))) removeAt(fd, child);
    } finally {
      closeSync(fd);
    }
    try {
      rmdirSync(path);
      return true;
    } catch (error) {
      if (code(error) === 'ENOENT') return true;
      // A symlink now (ENOTDIR) or refilled by a concurrent writer (ENOTEMPTY): look again.
      if (!['ENOTDIR', 'ENOTEMPTY'].includes(code(error) ?? '') || tries >= MAX_TRIES) throw error;
    }
  }
}
