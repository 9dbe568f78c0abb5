import { constants } from 'node:fs';

/**
 * Paths that name a file relative to an open directory, as `openat(fd, name)` does: the kernel
 * follows `/proc/self/fd/<fd>` to exactly the directory that was opened (not to whatever path it
 * had), then looks up the one component `name`. With the no-follow calls (lstat, lchown, lutimes,
 * open with O_NOFOLLOW or O_EXCL, mkdir, symlink, link, unlink, rename) nothing in a hostile tree
 * can redirect the operation: a component swapped for a symlink is never followed.
 */
export function at(dirFd: number, name: string): string {
  return `/proc/self/fd/${dirFd}/${name}`;
}

/** The directory itself (readdir, fchmod through open). */
export function fdPath(dirFd: number): string {
  return `/proc/self/fd/${dirFd}`;
}

/** The same as `at`, for a child process (its /proc/self is another process). */
export function atForChild(dirFd: number, name?: string): string {
  return `/proc/${process.pid}/fd/${dirFd}${name === undefined ? '' : `/${name}`}`;
}

// libuv opens every file with O_CLOEXEC, so no flag for it here.
const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_WRONLY, O_CREAT, O_EXCL } = constants;

/** A directory, never through a symlink (ELOOP) and never a non-directory (ENOTDIR). */
export const OPEN_DIRECTORY = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** A new regular file; O_EXCL fails on anything already there, a symlink included. */
export const CREATE_FILE = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
/** An existing file for reading, not through a symlink. */
export const OPEN_NOFOLLOW = O_RDONLY | O_NOFOLLOW;
