import { spawn } from 'node:child_process';
import { lstat, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { StevedoreError } from '@stevedore/shared';
import { applyLayer } from '../../storage/extract/apply-layer.js';
import { secureJoin } from '../rootfs/secure-join.js';

/**
 * GNU tar writing `dir` (or one entry of it) to a stream: numeric owners, xattrs, no
 * dereferencing, so symlinks travel as symlinks and never pull in host files.
 */
function tarStream(cwd: string, entries: string[], what: string): Readable {
  const child = spawn(
    'tar',
    ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', cwd, '-cf', '-', '--', ...entries],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.on('close', (code) => {
    if (code !== 0)
      child.stdout.destroy(new StevedoreError('INTERNAL', `archiving ${what} failed: ${stderr.trim()}`));
  });
  return child.stdout;
}

/** `docker export`: the container's whole filesystem as a tar. */
export function exportRootfs(rootfs: string): Readable {
  return tarStream(rootfs, ['.'], 'the container filesystem');
}

/**
 * `docker cp CONTAINER:PATH -`: a tar of one path, resolved inside the container (its symlinks
 * cannot lead to host files). The entry is named after the path's last component, as Docker does.
 */
export async function archiveFromContainer(rootfs: string, path: string): Promise<Readable> {
  const resolved = await secureJoin(rootfs, path);
  const stats = await lstat(resolved).catch(() => null);
  if (!stats) {
    throw new StevedoreError('NOT_FOUND', `Could not find the file ${path} in container`, { path });
  }
  return tarStream(dirname(resolved), [basename(resolved)], path);
}

/**
 * `docker cp - CONTAINER:DIR`: unpacks a tar into a directory of the container with the same
 * confinement as image layers: no entry, symlinked parent or hardlink may leave that directory.
 */
export async function extractIntoContainer(rootfs: string, path: string, archive: Readable): Promise<void> {
  const resolved = await secureJoin(rootfs, path);
  const stats = await lstat(resolved).catch(() => null);
  if (stats?.isDirectory()) {
    await applyLayer(archive, resolved, { whiteouts: false });
    return;
  }
  // `docker cp file ctr:/dir/newname`: the archive's single top entry takes the new name.
  const parent = dirname(resolved);
  if (stats || !(await lstat(parent).catch(() => null))?.isDirectory()) {
    throw new StevedoreError('NOT_FOUND', `Could not find the directory ${dirname(path)} in container`, {
      path,
    });
  }
  const staging = await mkdtemp(join(parent, '.stevedore-cp-'));
  try {
    await applyLayer(archive, staging, { whiteouts: false });
    const entries = await readdir(staging);
    if (entries.length !== 1) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `copying to ${path}: the archive must hold exactly one entry`,
        { path },
      );
    }
    await rename(join(staging, entries[0]!), resolved);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
