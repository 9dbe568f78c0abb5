import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { confinedParent, entryComponents, refusedEntry } from './confined-path.js';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export interface AppliedLayer {
  /** sha256 of the uncompressed tar: what the image config's rootfs.diff_ids lists. */
  diffId: string;
  /** Uncompressed bytes. */
  size: number;
}

interface DeferredDir {
  path: string;
  mode: number;
  mtime: Date;
}

/**
 * Unpacks an uncompressed tar stream into `root` as an overlay2 diff directory: whiteouts become
 * 0/0 character devices, opaque markers the `trusted.overlay.opaque` xattr; owners, modes (setuid,
 * sticky), mtimes, hardlinks, symlinks, fifos and devices are kept. No entry may land outside
 * `root` (see confined-path.ts); a hostile entry fails the whole layer.
 *
 * The file system calls are synchronous on purpose: this runs in an extraction worker
 * (apply-layer.ts), where a plain syscall is several times cheaper than a thread-pool round trip
 * per call, and nothing else waits on the thread.
 */
export async function extractTar(tar: Readable, root: string, whiteouts: boolean): Promise<AppliedLayer> {
  const hash = createHash('sha256');
  let size = 0;
  const counted = new PassThrough();
  counted.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
  });
  const archive = extract();
  const feeding = pipeline(tar, counted, archive).catch((error: unknown) => {
    archive.destroy(error as Error);
  });
  const directories: DeferredDir[] = [];
  for await (const entry of archive) {
    await applyEntry(root, entry.header, entry as AsyncIterable<Uint8Array>, directories, whiteouts);
    entry.resume();
  }
  await feeding;
  // Directory modes and mtimes last: creating their children changes the mtimes.
  for (const dir of directories.reverse()) {
    chmodSync(dir.path, dir.mode);
    utimesSync(dir.path, dir.mtime, dir.mtime);
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size };
}

const run = (command: string, args: string[]) =>
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });

async function applyEntry(
  root: string,
  header: Header,
  body: AsyncIterable<Uint8Array>,
  directories: DeferredDir[],
  whiteouts: boolean,
): Promise<void> {
  const components = entryComponents(header.name);
  if (components.length === 0) return; // the layer root itself
  const parent = confinedParent(root, components, header.name);
  const name = components.at(-1)!;

  if (whiteouts && name === OPAQUE_MARKER) {
    run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', parent]);
    return;
  }
  if (whiteouts && name.startsWith(WHITEOUT_PREFIX)) {
    const hidden = name.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..')
      throw refusedEntry(header.name, 'a whiteout must name an entry');
    const path = join(parent, hidden);
    rmSync(path, { recursive: true, force: true });
    run('mknod', ['-m', '000', path, 'c', '0', '0']);
    return;
  }

  const path = join(parent, name);
  const mode = (header.mode ?? 0o644) & 0o7777;
  const uid = header.uid ?? 0;
  const gid = header.gid ?? 0;
  const mtime = header.mtime ?? new Date(0);
  replaceUnlessBothDirectories(path, header.type === 'directory');

  switch (header.type) {
    case 'directory':
      try {
        mkdirSync(path, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      chownSync(path, uid, gid);
      directories.push({ path, mode, mtime });
      return;
    case 'file':
    case 'contiguous-file': {
      // One open file descriptor for content, owner, mode and times: no further path lookups.
      const fd = openSync(path, 'wx', 0o600);
      try {
        for await (const chunk of body) {
          for (let written = 0; written < chunk.length; ) {
            written += writeSync(fd, chunk, written, chunk.length - written);
          }
        }
        fchownSync(fd, uid, gid);
        fchmodSync(fd, mode); // after chown, which clears setuid/setgid
        futimesSync(fd, mtime, mtime);
      } finally {
        closeSync(fd);
      }
      return;
    }
    case 'symlink':
      symlinkSync(header.linkname ?? '', path);
      lchownSync(path, uid, gid);
      lutimesSync(path, mtime, mtime);
      return;
    case 'link': {
      const target = entryComponents(header.linkname ?? '');
      if (target.length === 0) throw refusedEntry(header.name, 'a hardlink must name a file');
      const targetPath = join(confinedParent(root, target, header.name), target.at(-1)!);
      const stats = lstatSync(targetPath, { throwIfNoEntry: false });
      if (!stats)
        throw refusedEntry(header.name, `its hardlink target "${header.linkname}" is not in this layer`);
      if (stats.isDirectory()) throw refusedEntry(header.name, 'a hardlink cannot point at a directory');
      linkSync(targetPath, path);
      return;
    }
    case 'fifo':
      run('mkfifo', ['-m', '600', path]);
      break;
    case 'character-device':
    case 'block-device':
      run('mknod', [
        '-m',
        '600',
        path,
        header.type === 'character-device' ? 'c' : 'b',
        String(header.devmajor ?? 0),
        String(header.devminor ?? 0),
      ]);
      break;
    default:
      // PAX and GNU metadata entries are consumed by tar-stream; anything else is not file content.
      return;
  }
  // chown clears setuid/setgid, so the mode is applied after it.
  chownSync(path, uid, gid);
  chmodSync(path, mode);
  utimesSync(path, mtime, mtime);
}

/** A later layer entry replaces what an earlier one put at the same path (dir ↔ file too). */
function replaceUnlessBothDirectories(path: string, isDirectory: boolean): void {
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (!existing) return;
  if (isDirectory && existing.isDirectory()) return;
  rmSync(path, { recursive: true, force: true });
}
