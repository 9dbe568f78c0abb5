import { closeSync, constants, createReadStream, fstatSync, openSync } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { execFile } from '../../util/exec.js';
import { at, atForChild, fdPath, OPEN_DIRECTORY, OPEN_NOFOLLOW } from '../confined/fd-path.js';
import type { IdMap } from '../id-map.js';

/**
 * Files the runtime creates as mount points in every container (Docker keeps them in an "-init"
 * layer): left out of a commit when they are only empty placeholders.
 */
const PLACEHOLDERS = new Set([
  'proc',
  'sys',
  'dev',
  'etc/hosts',
  'etc/hostname',
  'etc/resolv.conf',
  'etc/mtab',
]);

const missingIsNull = (error: NodeJS.ErrnoException) => {
  if (error.code === 'ENOENT') return null;
  throw error;
};

const changedWhileRead = (path: string) => new Error(`"${path}" changed while the layer was read`);

/**
 * Opens what was just listed at `path`, never through a symlink. A directory or file that a
 * running container replaced meanwhile by something else (a symlink: ELOOP; a file where a
 * directory was: ENOTDIR) fails the read with what happened, not with the errno of a /proc path.
 */
function openListed(full: string, flags: number, path: string): number {
  try {
    return openSync(full, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') throw changedWhileRead(path);
    throw error;
  }
}

/** A symlink's target; replaced meanwhile by something else (EINVAL) or removed, the read fails. */
async function readListedLink(full: string, path: string): Promise<string> {
  try {
    return await readlink(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EINVAL' || code === 'ENOENT') throw changedWhileRead(path);
    throw error;
  }
}

async function isOpaque(dirFd: number): Promise<boolean> {
  const result = await execFile('getfattr', [
    '--only-values',
    '-n',
    'trusted.overlay.opaque',
    atForChild(dirFd),
  ]);
  return result.code === 0 && result.stdout.trim() === 'y';
}

/**
 * A container's writable layer (an overlay upper directory) as an image layer tar: overlay
 * whiteouts (0/0 character devices) become `.wh.<name>` entries, opaque directories get a
 * `.wh..wh..opq` entry, hardlinks within the layer stay hardlinks, owners, modes and mtimes are
 * kept. Entries are sorted, so the same content gives the same diff ID.
 *
 * The layer belongs to a container that may be running (`commit --pause=false`) and swap any of
 * its directories for a symlink meanwhile: the walk goes through directory descriptors and opens
 * nothing through a symlink (see ../confined), so no host file can end up in the image.
 */
export function diffArchive(
  upper: string,
  /** A user-namespaced container's layer: host ids are moved back out of the mapped range. */
  unshift: IdMap | null = null,
): Readable {
  const archive = pack();
  const seen = new Map<string, string>();
  const walk = async (dirFd: number, relative: string): Promise<void> => {
    const names = (await readdir(fdPath(dirFd))).sort();
    for (const name of names) {
      const path = relative ? `${relative}/${name}` : name;
      const full = at(dirFd, name);
      const stats = await lstat(full).catch(missingIsNull);
      if (!stats) continue; // removed meanwhile
      const base = {
        uid: unshift ? Math.max(0, stats.uid - unshift.uid.start) : stats.uid,
        gid: unshift ? Math.max(0, stats.gid - unshift.gid.start) : stats.gid,
        mode: stats.mode & 0o7777,
        mtime: stats.mtime,
      };
      if (stats.isCharacterDevice() && stats.rdev === 0) {
        await add({
          ...base,
          name: relative ? `${relative}/.wh.${name}` : `.wh.${name}`,
          type: 'file',
          size: 0,
          mode: 0o600,
        });
        continue;
      }
      if (stats.isDirectory()) {
        const childFd = openListed(full, OPEN_DIRECTORY, path);
        try {
          const children = await readdir(fdPath(childFd));
          if (PLACEHOLDERS.has(path) && children.length === 0) continue;
          if (path === 'dev') continue; // runtime-made device nodes and mount points only
          await add({ ...base, name: `${path}/`, type: 'directory' });
          if (await isOpaque(childFd))
            await add({ ...base, name: `${path}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o600 });
          await walk(childFd, path);
        } finally {
          closeSync(childFd);
        }
        continue;
      }
      if (PLACEHOLDERS.has(path) && stats.isFile() && stats.size === 0) continue;
      const inode = `${stats.dev}:${stats.ino}`;
      if (stats.nlink > 1 && !stats.isDirectory()) {
        const first = seen.get(inode);
        if (first) {
          await add({ ...base, name: path, type: 'link', linkname: first, size: 0 });
          continue;
        }
        seen.set(inode, path);
      }
      if (stats.isSymbolicLink())
        await add({ ...base, name: path, type: 'symlink', linkname: await readListedLink(full, path) });
      else if (stats.isFIFO()) await add({ ...base, name: path, type: 'fifo' });
      else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
        await add({
          ...base,
          name: path,
          type: stats.isCharacterDevice() ? 'character-device' : 'block-device',
          devmajor: Math.floor(stats.rdev / 256) & 0xfff,
          devminor: stats.rdev & 0xff,
        });
      } else if (stats.isFile()) await addFile(base, path, full, stats.ino);
    }
  };
  const add = (header: Parameters<typeof archive.entry>[0]) =>
    new Promise<void>((resolve, reject) => {
      // An empty body: without one, a zero-size file entry waits for content that never comes.
      archive.entry(header, Buffer.alloc(0), (error) => (error ? reject(error) : resolve()));
    });
  /**
   * A regular file's content through a descriptor opened without following a symlink (O_NONBLOCK:
   * a fifo swapped in meanwhile must not block); it must still be the file that was listed.
   */
  const addFile = async (
    base: Omit<Parameters<typeof archive.entry>[0], 'name'>,
    path: string,
    full: string,
    ino: number,
  ) => {
    const fd = openListed(full, OPEN_NOFOLLOW | constants.O_NONBLOCK, path);
    let stats: ReturnType<typeof fstatSync>;
    try {
      stats = fstatSync(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    if (!stats.isFile() || stats.ino !== ino) {
      closeSync(fd);
      throw changedWhileRead(path);
    }
    await new Promise<void>((resolve, reject) => {
      const entry = archive.entry({ ...base, name: path, type: 'file', size: stats.size }, (error) =>
        error ? reject(error) : resolve(),
      );
      createReadStream('', { fd, start: 0, end: Math.max(0, stats.size - 1) })
        .on('error', reject)
        .pipe(entry);
    });
  };
  const rootFd = openSync(upper, constants.O_RDONLY | constants.O_DIRECTORY);
  walk(rootFd, '')
    .then(() => archive.finalize())
    .catch((error: Error) => archive.destroy(error))
    .finally(() => closeSync(rootFd));
  return Readable.from(archive);
}
