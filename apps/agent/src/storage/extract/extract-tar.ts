import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
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
  symlinkSync,
  writeSync,
} from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { DirTree, TreeRefusal } from '../confined/dir-tree.js';
import { at, atForChild, CREATE_FILE, OPEN_DIRECTORY } from '../confined/fd-path.js';
import { removeAt } from '../confined/remove-tree.js';
import { entryComponents, refusedEntry } from './confined-path.js';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export interface AppliedLayer {
  /** sha256 of the uncompressed tar: what the image config's rootfs.diff_ids lists. */
  diffId: string;
  /** Uncompressed bytes. */
  size: number;
}

export interface ExtractOptions {
  /** false: `.wh.` names are ordinary files (a `cp` archive, not an image layer). */
  whiteouts: boolean;
  /**
   * The archive's one top-level entry gets this name (`docker cp file ctr:/dir/newname`); an
   * archive with more than one top-level entry is refused.
   */
  renameTop?: string;
}

interface DeferredDir {
  components: string[];
  mode: number;
  mtime: Date;
}

/**
 * Unpacks an uncompressed tar stream into `root` as an overlay2 diff directory: whiteouts become
 * 0/0 character devices, opaque markers the `trusted.overlay.opaque` xattr; owners, modes (setuid,
 * sticky), mtimes, hardlinks, symlinks, fifos and devices are kept.
 *
 * The tree being written is hostile (an image layer, or a running container's directory that its
 * processes change meanwhile): every operation goes through descriptors of its directories with
 * no-follow calls (see ../confined), including the directory modes and times applied at the end,
 * so no entry, later replacement or concurrent swap can make it follow a symlink or touch anything
 * outside `root`. A hostile entry (`..`, a symlinked parent, a hardlink out) fails the whole layer.
 *
 * The file system calls are synchronous on purpose: this runs in an extraction worker
 * (apply-layer.ts), where a plain syscall is several times cheaper than a thread-pool round trip
 * per call, and nothing else waits on the thread.
 */
export async function extractTar(
  tar: Readable,
  root: string,
  options: ExtractOptions,
): Promise<AppliedLayer> {
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
  const tree = new DirTree(root);
  const state: ExtractionState = {
    tree,
    options,
    topName: null,
    directories: new Map(),
    // A fresh layer's directories are all made here (modes come last, so none is setgid yet):
    // a file root creates there is already root-owned and needs no chown.
    createdOwner: options.whiteouts && process.geteuid?.() === 0 && process.getegid?.() === 0 ? 0 : -1,
    umask: process.umask(),
  };
  try {
    for await (const entry of archive) {
      tree.nextOperation();
      await applyEntry(state, entry.header, entry as AsyncIterable<Uint8Array>);
      entry.resume();
    }
    await feeding;
    applyDirectoryMetadata(state);
  } finally {
    tree.close();
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size };
}

/**
 * Directory modes and mtimes last (creating children changes the mtimes), deepest first. Each
 * directory is opened afresh from the root without following symlinks; one that a later entry
 * replaced (by a symlink, a file, or removed) is skipped, never followed.
 */
function applyDirectoryMetadata(state: ExtractionState): void {
  const { tree } = state;
  const deepestFirst = [...state.directories.values()].sort(
    (a, b) => b.components.length - a.components.length,
  );
  for (const dir of deepestFirst) {
    tree.nextOperation();
    let fd: number | null;
    try {
      fd = tree.directory(dir.components, false);
    } catch (error) {
      if (error instanceof TreeRefusal) continue;
      throw error;
    }
    if (fd === null) continue;
    fchmodSync(fd, dir.mode);
    futimesSync(fd, dir.mtime, dir.mtime);
  }
}

const run = (command: string, args: string[]) =>
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });

interface ExtractionState {
  tree: DirTree;
  options: ExtractOptions;
  /** With `renameTop`: the archive's top-level name, taken from its first entry. */
  topName: string | null;
  /** Directory modes and mtimes by path, applied after all entries (the last entry for a path wins). */
  directories: Map<string, DeferredDir>;
  /** The uid and gid a new file already has when made here (-1: unknown, always chown). */
  createdOwner: number;
  umask: number;
}

/** The entry's path inside the tree, after `renameTop`. */
function entryPath(state: ExtractionState, name: string): string[] {
  const components = entryComponents(name);
  const rename = state.options.renameTop;
  if (rename === undefined || components.length === 0) return components;
  state.topName ??= components[0]!;
  if (components[0] !== state.topName)
    throw refusedEntry(
      name,
      `the archive must hold exactly one top-level entry (found "${state.topName}" too)`,
    );
  return [rename, ...components.slice(1)];
}

/** The open directory that holds an entry, made as needed; a symlink or file on the way refuses it. */
function parentOf(state: ExtractionState, components: string[], entry: string, create = true): number | null {
  try {
    return state.tree.directory(components.slice(0, -1), create);
  } catch (error) {
    if (error instanceof TreeRefusal) throw refusedEntry(entry, `its parent ${error.message}`);
    throw error;
  }
}

async function applyEntry(
  state: ExtractionState,
  header: Header,
  body: AsyncIterable<Uint8Array>,
): Promise<void> {
  const { tree, options } = state;
  const components = entryPath(state, header.name);
  if (components.length === 0) return; // the layer root itself
  const parentFd = parentOf(state, components, header.name)!;
  const name = components.at(-1)!;
  const key = components.join('/');

  if (options.whiteouts && name === OPAQUE_MARKER) {
    run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', atForChild(parentFd)]);
    return;
  }
  if (options.whiteouts && name.startsWith(WHITEOUT_PREFIX)) {
    const hidden = name.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..')
      throw refusedEntry(header.name, 'a whiteout must name an entry');
    removeExisting(state, parentFd, [...components.slice(0, -1), hidden].join('/'), hidden);
    run('mknod', ['-m', '000', atForChild(parentFd, hidden), 'c', '0', '0']);
    return;
  }

  const path = at(parentFd, name);
  const mode = (header.mode ?? 0o644) & 0o7777;
  const uid = header.uid ?? 0;
  const gid = header.gid ?? 0;
  const mtime = header.mtime ?? new Date(0);

  switch (header.type) {
    case 'directory': {
      let fd = tree.cachedDirectory(key);
      if (fd === undefined) {
        fd = makeDirectory(state, parentFd, key, name);
        tree.remember(key, fd);
      }
      fchownSync(fd, uid, gid);
      state.directories.set(key, { components, mode, mtime });
      return;
    }
    case 'file':
    case 'contiguous-file': {
      // The mode goes with the create when the umask leaves it whole and there are no setuid,
      // setgid or sticky bits (chown would clear those, so they come after it).
      const modeAtCreate = mode === (mode & 0o777 & ~state.umask);
      // One open file descriptor for content, owner, mode and times: no further path lookups.
      const fd = createReplacing(state, parentFd, key, name, () =>
        openSync(path, CREATE_FILE, modeAtCreate ? mode : 0o600),
      );
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
      createReplacing(state, parentFd, key, name, () => symlinkSync(header.linkname ?? '', path));
      lchownSync(path, uid, gid);
      lutimesSync(path, mtime, mtime);
      return;
    case 'link': {
      const target = entryPath(state, header.linkname ?? '');
      if (target.length === 0) throw refusedEntry(header.name, 'a hardlink must name a file');
      const targetParent = parentOf(state, target, header.name, false);
      const targetPath = targetParent === null ? null : at(targetParent, target.at(-1)!);
      const stats = targetPath === null ? undefined : lstatSync(targetPath, { throwIfNoEntry: false });
      if (!stats || targetPath === null)
        throw refusedEntry(header.name, `its hardlink target "${header.linkname}" is not in this layer`);
      if (stats.isDirectory()) throw refusedEntry(header.name, 'a hardlink cannot point at a directory');
      if (target.join('/').startsWith(`${key}/`))
        throw refusedEntry(header.name, 'its hardlink target is inside what the hardlink replaces');
      // link(2) never follows a symlink named as its target: a link to a symlink is a symlink.
      if (target.join('/') !== key)
        createReplacing(state, parentFd, key, name, () => linkSync(targetPath, path));
      return;
    }
    case 'fifo':
      removeExisting(state, parentFd, key, name);
      // The mode goes with the create (chmod would follow a symlink swapped in meanwhile); setuid,
      // setgid and sticky bits mean nothing on a fifo or a device, and mkfifo/mknod refuse them.
      run('mkfifo', ['-m', (mode & 0o777).toString(8), atForChild(parentFd, name)]);
      break;
    case 'character-device':
    case 'block-device':
      removeExisting(state, parentFd, key, name);
      run('mknod', [
        '-m',
        (mode & 0o777).toString(8),
        atForChild(parentFd, name),
        header.type === 'character-device' ? 'c' : 'b',
        String(header.devmajor ?? 0),
        String(header.devminor ?? 0),
      ]);
      break;
    default:
      // PAX and GNU metadata entries are consumed by tar-stream; anything else is not file content.
      return;
  }
  lchownSync(path, uid, gid);
  lutimesSync(path, mtime, mtime);
}

/** A directory at `name` (an existing one is kept and merged into), opened without following links. */
function makeDirectory(state: ExtractionState, parentFd: number, key: string, name: string): number {
  const path = at(parentFd, name);
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    return openSync(path, OPEN_DIRECTORY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ELOOP' && code !== 'ENOTDIR') throw error;
  }
  // A file or symlink was there: replaced by the directory.
  removeExisting(state, parentFd, key, name);
  mkdirSync(path, { mode: 0o700 });
  return openSync(path, OPEN_DIRECTORY);
}

/**
 * Makes a non-directory entry. Most paths are new, so the create is tried first; when something is
 * already there (a later layer entry replaces an earlier one, dir ↔ file too), it is removed and
 * the create tried once more.
 */
function createReplacing<T>(
  state: ExtractionState,
  parentFd: number,
  key: string,
  name: string,
  create: () => T,
): T {
  try {
    return create();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    removeExisting(state, parentFd, key, name);
    return create();
  }
}

/**
 * Removes what is at `name` (a whole tree for a directory, never through a symlink) and forgets
 * the directories and pending directory metadata under it.
 */
function removeExisting(state: ExtractionState, parentFd: number, key: string, name: string): void {
  if (!removeAt(parentFd, name)) return;
  state.tree.forget(key);
  const prefix = `${key}/`;
  for (const path of state.directories.keys()) {
    if (path === key || path.startsWith(prefix)) state.directories.delete(path);
  }
}
