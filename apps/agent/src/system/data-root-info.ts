import { readFile, realpath, statfs } from 'node:fs/promises';
import type { DataRootInfo, MigrationOutcome } from '@stevedore/shared';

export interface MountEntry {
  mountPoint: string;
  type: string;
  device: string;
  options: string;
}

/** "\040" and friends: mountinfo escapes spaces, tabs, newlines and backslashes in octal. */
const unescapeOctal = (field: string) =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/**
 * The mounts of /proc/self/mountinfo (proc(5)): fields 5 (mount point) and 6 (mount options),
 * then after the " - " separator the filesystem type, the source device and the super options.
 */
export function parseMountinfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const before = line.slice(0, separator).split(' ');
    const after = line.slice(separator + 3).split(' ');
    const mountPoint = before[4];
    const type = after[0];
    if (!mountPoint || !type) continue;
    mounts.push({
      mountPoint: unescapeOctal(mountPoint),
      type,
      device: unescapeOctal(after[1] ?? ''),
      options: [before[5], after[2]].filter(Boolean).join(','),
    });
  }
  return mounts;
}

/** The mount a path lives on: the last-mounted entry with the longest mount point above it. */
export function mountOf(mounts: readonly MountEntry[], path: string): MountEntry | null {
  let best: MountEntry | null = null;
  for (const mount of mounts) {
    const prefix = mount.mountPoint === '/' ? '/' : `${mount.mountPoint}/`;
    const covers = path === mount.mountPoint || path.startsWith(prefix);
    // Later lines are mounted over earlier ones at the same point: `>=` keeps the last.
    if (covers && (!best || mount.mountPoint.length >= best.mountPoint.length)) best = mount;
  }
  return best;
}

export interface DataRootFacts {
  dataRoot: string;
  migratable: boolean;
  migrationRunning: boolean;
  lastMigration: MigrationOutcome | null;
}

/** `system.dataRoot`: the data-root's filesystem (from mountinfo) and its space (statfs). */
export async function readDataRootInfo(facts: DataRootFacts): Promise<DataRootInfo> {
  const resolved = await realpath(facts.dataRoot).catch(() => facts.dataRoot);
  const [fs, mountinfo] = await Promise.all([
    statfs(resolved),
    readFile('/proc/self/mountinfo', 'utf8').catch(() => ''),
  ]);
  const mount = mountOf(parseMountinfo(mountinfo), resolved);
  return {
    path: facts.dataRoot,
    filesystem: {
      type: mount?.type ?? 'unknown',
      device: mount?.device ?? 'unknown',
      mountPoint: mount?.mountPoint ?? '/',
      options: mount?.options ?? '',
    },
    totalBytes: fs.blocks * fs.bsize,
    usedBytes: (fs.blocks - fs.bfree) * fs.bsize,
    freeBytes: fs.bavail * fs.bsize,
    migratable: facts.migratable,
    migration: { running: facts.migrationRunning, last: facts.lastMigration },
  };
}
