import { mkdir, readdir, rm, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DataRootCheck } from '@stevedore/shared';
import { diskUsage } from '../../util/disk-usage.js';
import { existingAncestor, inside, probeFilesystem, SPACE_MARGIN } from './target-checks.js';

type Check = DataRootCheck['checks'][number];

const describeState = (target: string, state: string) =>
  state === 'absent'
    ? `${target} does not exist yet; it will be made`
    : state === 'empty'
      ? `${target} is an empty directory`
      : state === 'full'
        ? `${target} is not empty: migrate into a new or empty directory`
        : state === 'file'
          ? `${target} exists and is not a directory`
          : `${target} is ${state}`;

/**
 * `system.checkDataRoot`: the checks `migrate` makes before copying, each with its verdict, for a
 * form to show before anything starts. Leaves no trace: a directory made for the overlay probe
 * is removed again.
 */
export async function reportTarget(
  source: string,
  rawTarget: string,
  runningContainers: string[],
): Promise<DataRootCheck> {
  const target = resolve(rawTarget);
  const checks: Check[] = [];
  const outside = !inside(source, target) && !inside(target, source);
  checks.push({
    name: 'outside',
    ok: outside,
    message: outside
      ? `outside the current data-root ${source}`
      : `${target} and the current data-root ${source} must not contain each other`,
  });
  const state = await readdir(target).then(
    (entries) => (entries.length === 0 ? 'empty' : 'full'),
    (error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? 'absent' : error.code === 'ENOTDIR' ? 'file' : `unreadable: ${error.message}`,
  );
  const emptyOk = state === 'empty' || state === 'absent';
  checks.push({ name: 'empty', ok: emptyOk, message: describeState(target, state) });
  const needed = (await diskUsage([source])).get(source) ?? 0;
  const where = await existingAncestor(target);
  const fs = await statfs(where).catch(() => null);
  const free = fs ? fs.bavail * fs.bsize : null;
  const room = free !== null && free >= needed * SPACE_MARGIN;
  checks.push({
    name: 'space',
    ok: room,
    message:
      free === null
        ? `cannot read the free space of ${where}`
        : room
          ? `${where} has room for the copy`
          : `not enough space: the data-root uses ${needed} bytes, ${where} has ${free} bytes free`,
  });
  checks.push(
    outside && emptyOk
      ? await probeOverlay(target, state === 'absent')
      : { name: 'overlay', ok: false, message: 'not probed: the target cannot be used' },
  );
  return {
    target,
    ok: checks.every((check) => check.ok),
    neededBytes: needed,
    freeBytes: free,
    checks,
    runningContainers,
  };
}

async function probeOverlay(target: string, absent: boolean): Promise<Check> {
  // mkdir -p answers the first directory it made: removing that removes all it made.
  const made = absent ? await mkdir(target, { recursive: true, mode: 0o711 }) : undefined;
  try {
    await probeFilesystem(target);
    return {
      name: 'overlay',
      ok: true,
      message: 'the filesystem holds overlay layers and trusted.* attributes',
    };
  } catch (error) {
    return { name: 'overlay', ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    if (made) await rm(made, { recursive: true, force: true });
  }
}
