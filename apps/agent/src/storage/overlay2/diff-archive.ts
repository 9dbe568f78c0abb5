import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { IdMap } from '../../runtime/userns/id-map.js';
import { execFile } from '../../util/exec.js';

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

async function isOpaque(dir: string): Promise<boolean> {
  const result = await execFile('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', dir]);
  return result.code === 0 && result.stdout.trim() === 'y';
}

/**
 * A container's writable layer (an overlay upper directory) as an image layer tar: overlay
 * whiteouts (0/0 character devices) become `.wh.<name>` entries, opaque directories get a
 * `.wh..wh..opq` entry, hardlinks within the layer stay hardlinks, owners, modes and mtimes are
 * kept. Entries are sorted, so the same content gives the same diff ID.
 */
export function diffArchive(
  upper: string,
  /** A user-namespaced container's layer: host ids are moved back out of the mapped range. */
  unshift: IdMap | null = null,
): Readable {
  const archive = pack();
  const seen = new Map<string, string>();
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(join(upper, relative))).sort();
    for (const name of names) {
      const path = relative ? `${relative}/${name}` : name;
      const full = join(upper, path);
      const stats = await lstat(full);
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
        const children = await readdir(full);
        if (PLACEHOLDERS.has(path) && children.length === 0) continue;
        if (path === 'dev') continue; // runtime-made device nodes and mount points only
        await add({ ...base, name: `${path}/`, type: 'directory' });
        if (await isOpaque(full))
          await add({ ...base, name: `${path}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o600 });
        await walk(path);
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
        await add({ ...base, name: path, type: 'symlink', linkname: await readlink(full) });
      else if (stats.isFIFO()) await add({ ...base, name: path, type: 'fifo' });
      else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
        await add({
          ...base,
          name: path,
          type: stats.isCharacterDevice() ? 'character-device' : 'block-device',
          devmajor: Math.floor(stats.rdev / 256) & 0xfff,
          devminor: stats.rdev & 0xff,
        });
      } else if (stats.isFile()) await addFile({ ...base, name: path, type: 'file', size: stats.size }, full);
    }
  };
  const add = (header: Parameters<typeof archive.entry>[0]) =>
    new Promise<void>((resolve, reject) => {
      // An empty body: without one, a zero-size file entry waits for content that never comes.
      archive.entry(header, Buffer.alloc(0), (error) => (error ? reject(error) : resolve()));
    });
  const addFile = (header: Parameters<typeof archive.entry>[0], path: string) =>
    new Promise<void>((resolve, reject) => {
      const entry = archive.entry(header, (error) => (error ? reject(error) : resolve()));
      createReadStream(path).on('error', reject).pipe(entry);
    });
  walk('')
    .then(() => archive.finalize())
    .catch((error: Error) => archive.destroy(error));
  return Readable.from(archive);
}
