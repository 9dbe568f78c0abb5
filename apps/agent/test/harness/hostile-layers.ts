/**
 * Hostile image layers for confinement tests: seeded random sequences of tar entries where paths
 * are created, replaced and re-created as files, directories, symlinks (absolute, relative,
 * chained) and hardlinks aimed outside the layer, with every kind of metadata; and canary files
 * outside the layer whose content, mode, owner, mtime and xattrs must never change.
 */
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { pack } from 'tar-stream';
import { tarOf } from './test-images.js';

/** A tar entry's header as tar-stream's pack takes it (fields left out get defaults). */
type EntryHeader = Parameters<ReturnType<typeof pack>['entry']>[0];

export { seededRandom } from './seeded-random.js';

export interface Canaries {
  dir: string;
  file: string;
  subdir: string;
  /** Everything observable about the canaries (and anything new beside them), as text. */
  snapshot(): string;
}

/** Canary files and directories in `base`, with an owner, modes, an old mtime and an xattr. */
export function plantCanaries(base: string): Canaries {
  const dir = join(base, 'canary');
  const subdir = join(dir, 'subdir');
  const file = join(dir, 'file');
  mkdirSync(subdir, { recursive: true, mode: 0o755 });
  writeFileSync(file, 'canary content\n', { mode: 0o640 });
  writeFileSync(join(subdir, 'inner'), 'inner canary\n', { mode: 0o600 });
  chownSync(file, 4242, 4343);
  execFileSync('setfattr', ['-n', 'user.canary', '-v', 'untouched', file]);
  execFileSync('setfattr', ['-n', 'user.canary', '-v', 'untouched', subdir]);
  const old = new Date('2001-02-03T04:05:06Z');
  for (const path of [join(subdir, 'inner'), file, subdir, dir]) utimesSync(path, old, old);
  const describe = (path: string): string[] => {
    const stats = lstatSync(path);
    const line = `${path} mode=${stats.mode.toString(8)} uid=${stats.uid} gid=${stats.gid} mtime=${stats.mtimeMs} size=${stats.size}`;
    if (stats.isSymbolicLink()) return [`${line} -> ${readlinkSync(path)}`];
    if (stats.isFile()) return [`${line} content=${readFileSync(path, 'base64')}`];
    if (!stats.isDirectory()) return [line];
    return [
      line,
      ...readdirSync(path)
        .sort()
        .flatMap((name) => describe(join(path, name))),
    ];
  };
  // Every extended attribute of the tree, in one run.
  const xattrs = () =>
    execFileSync('getfattr', ['-h', '-d', '-R', '-m', '-', '--absolute-names', dir], { encoding: 'utf8' });
  return { dir, file, subdir, snapshot: () => `${describe(dir).join('\n')}\n${xattrs()}` };
}

export interface HostileEntry {
  header: EntryHeader;
  content?: Buffer;
}

const NAMES = ['a', 'b', 'c'];
const MODES = [0o755, 0o6777, 0o4755, 0o1777, 0o700, 0o777, 0o2750, 0o644];

/**
 * One hostile layer: 3–14 entries over a small set of paths (so paths are often replaced), mixed
 * with the known attack shapes (a directory with setuid bits later replaced by a symlink to a host
 * file; children queued under a directory that becomes a symlink; a hardlink to a symlink; a file
 * written through a symlinked parent). `whiteouts`: also `.wh.` entries and opaque markers.
 */
export function hostileLayer(random: () => number, canaries: Canaries, whiteouts: boolean): HostileEntry[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const path = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(NAMES)).join('/');
  const outsideTargets = [
    canaries.dir,
    canaries.file,
    canaries.subdir,
    `${'../'.repeat(24)}${canaries.dir.slice(1)}`,
    `${'../'.repeat(24)}${canaries.file.slice(1)}`,
    `${'../'.repeat(1 + Math.floor(random() * 8))}canary`,
  ];
  const linkTarget = () => (random() < 0.6 ? pick(outsideTargets) : random() < 0.5 ? path() : `../${path()}`);
  const meta = () => ({
    mode: pick(MODES),
    uid: Math.floor(random() * 3) * 1000,
    gid: Math.floor(random() * 3) * 1000,
    mtime: new Date(Date.UTC(2000 + Math.floor(random() * 20), 0, 1)),
  });
  const entries: HostileEntry[] = [];
  const add = (name: string, header: Omit<EntryHeader, 'name'>, content?: string) =>
    entries.push({
      header: { name, ...header },
      ...(content === undefined ? {} : { content: Buffer.from(content) }),
    });

  const count = 3 + Math.floor(random() * 12);
  while (entries.length < count) {
    const roll = random();
    const name = path();
    if (roll < 0.12) {
      // The reported attack: a setuid directory, then the same path as a symlink to a host file.
      add(`${name}/`, { type: 'directory', ...meta(), mode: 0o6777 });
      add(name, { type: 'symlink', linkname: pick(outsideTargets), ...meta() });
    } else if (roll < 0.2) {
      // Children queued for metadata under a directory that then becomes a symlink.
      add(`${name}/`, { type: 'directory', ...meta() });
      add(`${name}/${pick(NAMES)}/`, { type: 'directory', ...meta(), mode: 0o6777 });
      add(name, { type: 'symlink', linkname: pick(outsideTargets), ...meta() });
    } else if (roll < 0.26) {
      // A hardlink to a symlink that points out, then content written at the hardlink's name.
      const link = path();
      add(link, { type: 'symlink', linkname: pick(outsideTargets), ...meta() });
      add(name, { type: 'link', linkname: link, ...meta() });
      add(name, { type: 'file', ...meta() }, 'overwritten through a hardlink');
    } else if (roll < 0.32) {
      // A symlinked parent, then a file below it.
      add(name, { type: 'symlink', linkname: pick(outsideTargets), ...meta() });
      add(
        `${name}/${pick(['file', 'new', 'inner'])}`,
        { type: 'file', ...meta() },
        'written through a symlink',
      );
    } else if (roll < 0.5) add(`${name}/`, { type: 'directory', ...meta() });
    else if (roll < 0.64) add(name, { type: 'file', ...meta() }, `content ${entries.length}`);
    else if (roll < 0.76) add(name, { type: 'symlink', linkname: linkTarget(), ...meta() });
    else if (roll < 0.84)
      add(name, { type: 'link', linkname: random() < 0.5 ? path() : canaries.file.slice(1), ...meta() });
    else if (roll < 0.88) add(name, { type: 'fifo', ...meta() });
    else if (roll < 0.9) add(name, { type: 'character-device', devmajor: 1, devminor: 3, ...meta() });
    else if (whiteouts && roll < 0.96) {
      const parent = random() < 0.3 ? '' : `${path()}/`;
      add(`${parent}.wh.${pick(NAMES)}`, { type: 'file', mode: 0o644 }, '');
    } else if (whiteouts) add(`${path()}/.wh..wh..opq`, { type: 'file', mode: 0o644 }, '');
    else add(name, { type: 'file', ...meta() }, 'plain');
  }
  return entries;
}

/** The entries as an uncompressed tar. */
export function tarOfEntries(entries: HostileEntry[]): Promise<Buffer> {
  return tarOf((archive) => {
    for (const { header, content } of entries) {
      archive.entry(
        header.type === 'file' ? { ...header, size: content?.length ?? 0 } : header,
        content ?? Buffer.alloc(0),
      );
    }
  });
}
