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
  const state: ExtractionState = {
    root,
    whiteouts,
    directories: [],
    knownDirectories: new Set(),
    // A fresh layer's directories are all made here (modes come last, so none is setgid yet):
    // a file root creates there is already root-owned and needs no chown.
    createdOwner: whiteouts && process.geteuid?.() === 0 && process.getegid?.() === 0 ? 0 : -1,
    umask: process.umask(),
  };
  for await (const entry of archive) {
    await applyEntry(state, entry.header, entry as AsyncIterable<Uint8Array>);
    entry.resume();
  }
  const directories = state.directories;
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

interface ExtractionState {
  root: string;
  whiteouts: boolean;
  /** Directory modes and mtimes, applied after all entries. */
  directories: DeferredDir[];
  /** Paths already checked (or made) as real directories in this extraction: no second lstat. */
  knownDirectories: Set<string>;
  /** The uid and gid a new file already has when made here (-1: unknown, always chown). */
  createdOwner: number;
  umask: number;
}

async function applyEntry(
  state: ExtractionState,
  header: Header,
  body: AsyncIterable<Uint8Array>,
): Promise<void> {
  const { root, whiteouts, directories } = state;
  const components = entryComponents(header.name);
  if (components.length === 0) return; // the layer root itself
  const parent = confinedParent(root, components, header.name, state.knownDirectories);
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
    removeExisting(state, path);
    run('mknod', ['-m', '000', path, 'c', '0', '0']);
    return;
  }

  const path = join(parent, name);
  const mode = (header.mode ?? 0o644) & 0o7777;
  const uid = header.uid ?? 0;
  const gid = header.gid ?? 0;
  const mtime = header.mtime ?? new Date(0);

  switch (header.type) {
    case 'directory':
      if (!state.knownDirectories.has(path)) {
        const existing = lstatSync(path, { throwIfNoEntry: false });
        if (existing && !existing.isDirectory()) removeExisting(state, path);
        if (!existing?.isDirectory()) mkdirSync(path, { mode: 0o700 });
        state.knownDirectories.add(path);
      }
      chownSync(path, uid, gid);
      directories.push({ path, mode, mtime });
      return;
    case 'file':
    case 'contiguous-file': {
      // The mode goes with the create when the umask leaves it whole and there are no setuid,
      // setgid or sticky bits (chown would clear those, so they come after it).
      const modeAtCreate = mode === (mode & 0o777 & ~state.umask);
      // One open file descriptor for content, owner, mode and times: no further path lookups.
      const fd = createReplacing(state, path, () => openSync(path, 'wx', modeAtCreate ? mode : 0o600));
      try {
        for await (const chunk of body) {
          for (let written = 0; written < chunk.length; ) {
            written += writeSync(fd, chunk, written, chunk.length - written);
          }
        }
        if (uid !== state.createdOwner || gid !== state.createdOwner) fchownSync(fd, uid, gid);
        if (!modeAtCreate) fchmodSync(fd, mode);
        futimesSync(fd, mtime, mtime);
      } finally {
        closeSync(fd);
      }
      return;
    }
    case 'symlink':
      createReplacing(state, path, () => symlinkSync(header.linkname ?? '', path));
      lchownSync(path, uid, gid);
      lutimesSync(path, mtime, mtime);
      return;
    case 'link': {
      const target = entryComponents(header.linkname ?? '');
      if (target.length === 0) throw refusedEntry(header.name, 'a hardlink must name a file');
      const targetPath = join(
        confinedParent(root, target, header.name, state.knownDirectories),
        target.at(-1)!,
      );
      const stats = lstatSync(targetPath, { throwIfNoEntry: false });
      if (!stats)
        throw refusedEntry(header.name, `its hardlink target "${header.linkname}" is not in this layer`);
      if (stats.isDirectory()) throw refusedEntry(header.name, 'a hardlink cannot point at a directory');
      if (targetPath !== path) createReplacing(state, path, () => linkSync(targetPath, path));
      return;
    }
    case 'fifo':
      removeExisting(state, path);
      run('mkfifo', ['-m', '600', path]);
      break;
    case 'character-device':
    case 'block-device':
      removeExisting(state, path);
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

/**
 * Makes a non-directory entry. Most paths are new, so the create is tried first; when something is
 * already there (a later layer entry replaces an earlier one, dir ↔ file too), it is removed and
 * the create tried once more.
 */
function createReplacing<T>(state: ExtractionState, path: string, create: () => T): T {
  try {
    return create();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    removeExisting(state, path);
    return create();
  }
}

/** Removes what is at `path` (a whole tree for a directory) and forgets directories checked under it. */
function removeExisting(state: ExtractionState, path: string): void {
  rmSync(path, { recursive: true, force: true });
  for (const known of state.knownDirectories) {
    if (known === path || known.startsWith(`${path}/`)) state.knownDirectories.delete(known);
  }
}
