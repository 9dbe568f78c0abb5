import { createHash } from 'node:crypto';
import {
  chmod,
  chown,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  rm,
  symlink,
  utimes,
} from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { execFile } from '../../util/exec.js';
import { confinedParent, entryComponents, refusedEntry } from './confined-path.js';
import { decompressed } from './decompress.js';

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
 * Unpacks a layer blob (gzip, zstd or plain tar) into `root` as an overlay2 diff directory while it
 * streams: whiteouts become 0/0 character devices, opaque markers the `trusted.overlay.opaque`
 * xattr; owners, modes (setuid, sticky), mtimes, hardlinks, symlinks, fifos and devices are kept.
 * No entry may land outside `root` (see confined-path.ts); a hostile entry fails the whole layer.
 */
export async function applyLayer(
  source: Readable,
  root: string,
  /** false: `.wh.` names are ordinary files (a `cp` archive, not an image layer). */
  options: { whiteouts: boolean } = { whiteouts: true },
): Promise<AppliedLayer> {
  const tar = await decompressed(source);
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
    await applyEntry(root, entry.header, entry as AsyncIterable<Uint8Array>, directories, options.whiteouts);
    entry.resume();
  }
  await feeding;
  // Directory modes and mtimes last: creating their children changes the mtimes.
  for (const dir of directories.reverse()) {
    await chmod(dir.path, dir.mode);
    await utimes(dir.path, dir.mtime, dir.mtime);
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size };
}

async function applyEntry(
  root: string,
  header: Header,
  body: AsyncIterable<Uint8Array>,
  directories: DeferredDir[],
  whiteouts: boolean,
): Promise<void> {
  const components = entryComponents(header.name);
  if (components.length === 0) return; // the layer root itself
  const parent = await confinedParent(root, components, header.name);
  const name = components.at(-1)!;

  if (whiteouts && name === OPAQUE_MARKER) {
    await execFile('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', parent], { check: true });
    return;
  }
  if (whiteouts && name.startsWith(WHITEOUT_PREFIX)) {
    const hidden = name.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..')
      throw refusedEntry(header.name, 'a whiteout must name an entry');
    const path = join(parent, hidden);
    await rm(path, { recursive: true, force: true });
    await execFile('mknod', ['-m', '000', path, 'c', '0', '0'], { check: true });
    return;
  }

  const path = join(parent, name);
  const mode = (header.mode ?? 0o644) & 0o7777;
  const uid = header.uid ?? 0;
  const gid = header.gid ?? 0;
  const mtime = header.mtime ?? new Date(0);
  await replaceUnlessBothDirectories(path, header.type === 'directory');

  switch (header.type) {
    case 'directory':
      await mkdir(path, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      await chown(path, uid, gid);
      directories.push({ path, mode, mtime });
      return;
    case 'file':
    case 'contiguous-file': {
      // One open file handle for content, owner, mode and times: no further path lookups.
      const file = await open(path, 'wx', 0o600);
      try {
        for await (const chunk of body) await file.write(chunk);
        await file.chown(uid, gid);
        await file.chmod(mode); // after chown, which clears setuid/setgid
        await file.utimes(mtime, mtime);
      } finally {
        await file.close();
      }
      return;
    }
    case 'symlink':
      await symlink(header.linkname ?? '', path);
      await lchown(path, uid, gid);
      await lutimes(path, mtime, mtime);
      return;
    case 'link': {
      const target = entryComponents(header.linkname ?? '');
      if (target.length === 0) throw refusedEntry(header.name, 'a hardlink must name a file');
      const targetPath = join(await confinedParent(root, target, header.name), target.at(-1)!);
      const stats = await lstat(targetPath).catch(() => null);
      if (!stats)
        throw refusedEntry(header.name, `its hardlink target "${header.linkname}" is not in this layer`);
      if (stats.isDirectory()) throw refusedEntry(header.name, 'a hardlink cannot point at a directory');
      await link(targetPath, path);
      return;
    }
    case 'fifo':
      await execFile('mkfifo', ['-m', '600', path], { check: true });
      break;
    case 'character-device':
    case 'block-device':
      await execFile(
        'mknod',
        [
          '-m',
          '600',
          path,
          header.type === 'character-device' ? 'c' : 'b',
          String(header.devmajor ?? 0),
          String(header.devminor ?? 0),
        ],
        { check: true },
      );
      break;
    default:
      // PAX and GNU metadata entries are consumed by tar-stream; anything else is not file content.
      return;
  }
  // chown clears setuid/setgid, so the mode is applied after it.
  await chown(path, uid, gid);
  await chmod(path, mode);
  await utimes(path, mtime, mtime);
}

/** A later layer entry replaces what an earlier one put at the same path (dir ↔ file too). */
async function replaceUnlessBothDirectories(path: string, isDirectory: boolean): Promise<void> {
  const existing = await lstat(path).catch(() => null);
  if (!existing) return;
  if (isDirectory && existing.isDirectory()) return;
  await rm(path, { recursive: true, force: true });
}
