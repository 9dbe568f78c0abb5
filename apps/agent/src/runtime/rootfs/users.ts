import { StevedoreError } from '@stevedore/shared';
import { readTextInRoot } from '../../storage/confined/read-in-root.js';

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** For $HOME. */
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const isId = (value: string) => /^\d+$/.test(value);

export function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').flatMap((line) => {
    const fields = line.split(':');
    if (line.startsWith('#') || fields.length < 7 || !isId(fields[2]!) || !isId(fields[3]!)) return [];
    return [{ name: fields[0]!, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5]! }];
  });
}

export function parseGroup(text: string): GroupEntry[] {
  return text.split('\n').flatMap((line) => {
    const fields = line.split(':');
    if (line.startsWith('#') || fields.length < 4 || !isId(fields[2]!)) return [];
    return [{ name: fields[0]!, gid: Number(fields[2]), members: fields[3]!.split(',').filter(Boolean) }];
  });
}

/**
 * `user[:group]` (names or numbers) → ids, the way runc and Docker resolve them from the image's
 * /etc/passwd and /etc/group: a numeric uid need not exist; a name must. Supplementary groups are
 * those listing the user as a member, unless a group was given explicitly.
 */
export function resolveUser(spec: string, passwd: PasswdEntry[], groups: GroupEntry[]): ProcessUser {
  const [userPart = '', groupPart] = spec.split(':');
  const userText = userPart === '' ? '0' : userPart;
  const entry = isId(userText)
    ? passwd.find((p) => p.uid === Number(userText))
    : passwd.find((p) => p.name === userText);
  if (!entry && !isId(userText)) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `unable to find user ${userText}: no matching entries in passwd file`,
      { user: userText },
    );
  }
  const uid = entry?.uid ?? Number(userText);
  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined) {
    const group = isId(groupPart) ? { gid: Number(groupPart) } : groups.find((g) => g.name === groupPart);
    if (!group) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `unable to find group ${groupPart}: no matching entries in group file`,
        { group: groupPart },
      );
    }
    gid = group.gid;
  }
  const additionalGids =
    groupPart === undefined && entry
      ? [...new Set(groups.filter((g) => g.members.includes(entry.name) && g.gid !== gid).map((g) => g.gid))]
      : [];
  return { uid, gid, additionalGids, home: entry?.home || '/' };
}

/**
 * Reads /etc/passwd and /etc/group from a container root (missing files are empty), as the
 * container sees them, never through a symlink it swaps in meanwhile.
 */
export async function lookupUser(rootfs: string, spec: string): Promise<ProcessUser> {
  const read = (path: string) => readTextInRoot(rootfs, path) ?? '';
  return resolveUser(spec, parsePasswd(read('/etc/passwd')), parseGroup(read('/etc/group')));
}
