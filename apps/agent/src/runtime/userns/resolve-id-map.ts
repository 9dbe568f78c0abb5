import { appendFile, chmod, lchown, lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import type { IdMap, IdRange } from '../../storage/id-map.js';
import { execFile } from '../../util/exec.js';

/** The user `--userns-remap default` uses, like Docker's `dockremap`. */
export const DEFAULT_REMAP_USER = 'stevedoremap';
const DEFAULT_RANGE_SIZE = 65536;
const FIRST_SUBORDINATE_ID = 100000;

interface SubordinateEntry {
  owner: string;
  start: number;
  size: number;
}

export function parseSubordinateIds(text: string): SubordinateEntry[] {
  return text.split('\n').flatMap((line) => {
    const [owner, start, size] = line.trim().split(':');
    if (!owner || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(size ?? '')) return [];
    return [{ owner, start: Number(start), size: Number(size) }];
  });
}

async function lookupId(
  database: 'passwd' | 'group',
  name: string,
): Promise<{ name: string; id: number } | null> {
  const result = await execFile('getent', [database, name]);
  if (result.code !== 0) return null;
  const [entryName = '', , id = ''] = result.stdout.trim().split(':');
  return { name: entryName, id: Number(id) };
}

/** The first range for `user` (by name or id) in a subordinate id file. */
function rangeFor(entries: SubordinateEntry[], user: { name: string; id: number }, file: string): IdRange {
  const entry = entries.find((e) => e.owner === user.name || e.owner === String(user.id));
  if (!entry) {
    throw new StevedoreError(
      'FAILED_PRECONDITION',
      `userns-remap: no subordinate id range for "${user.name}" in ${file}; add a line such as ${user.name}:${FIRST_SUBORDINATE_ID}:${DEFAULT_RANGE_SIZE}`,
      { user: user.name, file },
    );
  }
  return { start: entry.start, size: entry.size };
}

/**
 * Resolves `--userns-remap` to id ranges, as dockerd does: `user[:group]` must exist and own
 * ranges in /etc/subuid and /etc/subgid; `default` creates the `stevedoremap` system user and
 * ranges after the highest existing one when they are missing.
 */
export async function resolveIdMap(
  spec: string,
  files = { subuid: '/etc/subuid', subgid: '/etc/subgid' },
): Promise<IdMap> {
  const [userPart = '', groupPart] = spec === 'default' ? [DEFAULT_REMAP_USER] : spec.split(':');
  if (spec === 'default') await ensureDefaultRemapUser(files);
  const user = await lookupId('passwd', userPart);
  if (!user) throw new StevedoreError('FAILED_PRECONDITION', `userns-remap: no such user "${userPart}"`);
  const group =
    groupPart === undefined
      ? ((await lookupId('group', user.name)) ?? { name: user.name, id: user.id })
      : await lookupId('group', groupPart);
  if (!group) throw new StevedoreError('FAILED_PRECONDITION', `userns-remap: no such group "${groupPart}"`);
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  return {
    uid: rangeFor(parseSubordinateIds(await read(files.subuid)), user, files.subuid),
    gid: rangeFor(parseSubordinateIds(await read(files.subgid)), group, files.subgid),
  };
}

async function ensureDefaultRemapUser(files: { subuid: string; subgid: string }): Promise<void> {
  if (!(await lookupId('passwd', DEFAULT_REMAP_USER))) {
    await execFile(
      'useradd',
      ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', DEFAULT_REMAP_USER],
      {
        check: true,
      },
    );
  }
  for (const file of [files.subuid, files.subgid]) {
    const entries = parseSubordinateIds(await readFile(file, 'utf8').catch(() => ''));
    if (entries.some((e) => e.owner === DEFAULT_REMAP_USER)) continue;
    const start = Math.max(FIRST_SUBORDINATE_ID, ...entries.map((e) => e.start + e.size));
    await appendFile(file, `${DEFAULT_REMAP_USER}:${start}:${DEFAULT_RANGE_SIZE}\n`);
  }
}

/**
 * Moves every entry's owner under `dir` into the mapped range (uid → start + uid), keeping modes:
 * chown clears setuid and setgid, so those are set again. Symlinks are changed themselves.
 */
export async function shiftOwnership(dir: string, map: IdMap): Promise<void> {
  const shift = async (path: string) => {
    const stats = await lstat(path);
    await lchown(path, map.uid.start + stats.uid, map.gid.start + stats.gid);
    if (!stats.isSymbolicLink() && stats.mode & 0o6000) await chmod(path, stats.mode & 0o7777);
    if (stats.isDirectory()) {
      for (const name of await readdir(path)) await shift(join(path, name));
    }
  };
  await shift(dir);
}
