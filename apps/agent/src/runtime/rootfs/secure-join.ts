import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';

const MAX_SYMLINKS = 255;

/**
 * The host path of `path` inside a container root, resolving symlinks as the container would see
 * them: absolute targets start again at `root`, `..` never climbs above it. So a symlink such as
 * `/etc/passwd -> /etc/shadow` or `-> ../../../../etc/passwd` stays inside the container's files
 * instead of reaching the host's. The last component need not exist.
 */
export async function secureJoin(root: string, path: string): Promise<string> {
  const pending = path.split('/').filter(Boolean);
  const resolved: string[] = [];
  let symlinks = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    const stats = await lstat(candidate).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
      throw error;
    });
    if (stats?.isSymbolicLink()) {
      if (++symlinks > MAX_SYMLINKS) {
        throw new StevedoreError('INVALID_ARGUMENT', `too many levels of symbolic links in "${path}"`, {
          path,
        });
      }
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}
