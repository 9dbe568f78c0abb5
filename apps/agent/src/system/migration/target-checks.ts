import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import { diskUsage } from '../../util/disk-usage.js';
import { execFile } from '../../util/exec.js';

const refuse = (message: string, context: Record<string, unknown> = {}) =>
  new StevedoreError('FAILED_PRECONDITION', message, context);

/** Room for the copy plus 5 %: the filesystem must not run full under the containers. */
export const SPACE_MARGIN = 1.05;

export const inside = (parent: string, child: string) => {
  const path = relative(parent, child);
  return path === '' || (!path.startsWith('..') && !path.startsWith('/'));
};

/** The nearest existing directory at or above `path`. */
export async function existingAncestor(path: string): Promise<string> {
  let current = path;
  for (;;) {
    if (
      await stat(current).then(
        (s) => s.isDirectory(),
        () => false,
      )
    )
      return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/**
 * Everything that must hold before a byte is copied: the target is a new or empty directory
 * outside the current root (and not around it), its filesystem has room for the whole root,
 * supports overlay mounts (which needs d_type) and trusted.* extended attributes (opaque
 * directories). Returns the bytes to copy.
 */
export async function checkTarget(source: string, target: string): Promise<number> {
  if (inside(source, target) || inside(target, source)) {
    throw refuse(`${target} and the current data-root ${source} must not contain each other`, { target });
  }
  const entries = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') throw refuse(`${target} exists and is not a directory`, { target });
    throw error;
  });
  if (entries.length > 0) {
    throw refuse(`${target} is not empty: migrate into a new or empty directory`, { target });
  }
  const needed = (await diskUsage([source])).get(source) ?? 0;
  const where = await existingAncestor(target);
  const fs = await statfs(where);
  const free = fs.bavail * fs.bsize;
  if (free < needed * SPACE_MARGIN) {
    throw refuse(
      `not enough space for ${target}: the data-root uses ${needed} bytes, ${where} has ${free} bytes free`,
      { needed, free },
    );
  }
  await mkdir(target, { recursive: true, mode: 0o711 });
  await probeFilesystem(target);
  return needed;
}

/** A throw-away overlay mount with an opaque directory in the target: what the layer store needs. */
export async function probeFilesystem(target: string): Promise<void> {
  const probe = join(target, `.probe-${randomBytes(4).toString('hex')}`);
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => join(probe, d)) as [
    string,
    string,
    string,
    string,
  ];
  let probeMounted = false;
  try {
    for (const dir of [lower, upper, work, merged]) await mkdir(dir, { recursive: true });
    const xattr = await execFile('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', upper]);
    if (xattr.code !== 0) {
      throw refuse(
        `the filesystem of ${target} does not keep trusted.* extended attributes: ${xattr.stderr.trim()}`,
      );
    }
    const mounted = await execFile('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lower},upperdir=${upper},workdir=${work}`,
      merged,
    ]);
    if (mounted.code !== 0) {
      throw refuse(
        `the filesystem of ${target} cannot hold overlay layers (overlay needs d_type support): ${mounted.stderr.trim()}`,
      );
    }
    const unmounted = await execFile('umount', [merged]);
    if (unmounted.code !== 0 && (await execFile('umount', ['--lazy', merged])).code !== 0) {
      // Removing the probe through a mount still in place would delete through it: leave it.
      probeMounted = true;
      throw new StevedoreError(
        'INTERNAL',
        `the test overlay mount ${merged} cannot be unmounted: ${unmounted.stderr.trim()}`,
        { target },
      );
    }
  } finally {
    if (!probeMounted) await rm(probe, { recursive: true, force: true });
  }
}
