import { spawn } from 'node:child_process';
import { closeSync, constants, lstatSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StevedoreError } from '@stevedore/shared';
import { at, atForChild, fdPath } from '../../storage/confined/fd-path.js';
import { resolveInRoot } from '../../storage/confined/resolve-in-root.js';
import { applyLayer } from '../../storage/extract/apply-layer.js';

/**
 * GNU tar writing `entries` of the directory open as `dirFd` to a stream: numeric owners, xattrs,
 * no dereferencing. tar starts in that very directory (its /proc fd link, not a path that a
 * running container could swap meanwhile) and walks below it relative to directory descriptors
 * with O_NOFOLLOW, so symlinks travel as symlinks and never pull in host files. The descriptor is
 * closed once tar has started.
 */
function tarStream(dirFd: number, entries: string[], what: string): Readable {
  const child = spawn(
    'tar',
    ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-cf', '-', '--', ...entries],
    {
      cwd: atForChild(dirFd),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let closed = false;
  const closeDir = () => {
    if (!closed) closeSync(dirFd);
    closed = true;
  };
  child.once('spawn', closeDir).once('error', closeDir);
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

const openDirectory = (path: string) => openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);

/** `docker export`: the container's whole filesystem as a tar. */
export function exportRootfs(rootfs: string): Readable {
  return tarStream(openDirectory(rootfs), ['.'], 'the container filesystem');
}

/**
 * `docker cp CONTAINER:PATH -`: a tar of one path, resolved inside the container as the container
 * sees it (see resolveInRoot: its symlinks, even ones swapped in meanwhile, never lead to host
 * files). The entry is named after the path's last component, as Docker does.
 */
export function archiveFromContainer(rootfs: string, path: string): Readable {
  const missing = () =>
    new StevedoreError('NOT_FOUND', `Could not find the file ${path} in container`, { path });
  const { parentFd, name } = resolveInRoot(rootfs, path, missing);
  if (name !== null && !lstatSync(at(parentFd, name), { throwIfNoEntry: false })) {
    closeSync(parentFd);
    throw missing();
  }
  return tarStream(parentFd, [name ?? '.'], path);
}

/**
 * `docker cp - CONTAINER:PATH`: unpacks a tar into the container with the same confinement as
 * image layers, working only through descriptors of the container's directories. Into PATH when it
 * is a directory; otherwise the archive's one top-level entry becomes PATH (`docker cp file
 * ctr:/dir/newname`, replacing a file that is there).
 */
export async function extractIntoContainer(rootfs: string, path: string, archive: Readable): Promise<void> {
  const { parentFd, name } = resolveInRoot(rootfs, path);
  try {
    if (name === null) {
      await applyLayer(archive, fdPath(parentFd), { whiteouts: false });
      return;
    }
    const stats = lstatSync(at(parentFd, name), { throwIfNoEntry: false });
    if (stats?.isDirectory()) {
      const targetFd = openSync(
        at(parentFd, name),
        constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW,
      );
      try {
        await applyLayer(archive, fdPath(targetFd), { whiteouts: false });
      } finally {
        closeSync(targetFd);
      }
      return;
    }
    await applyLayer(archive, fdPath(parentFd), { whiteouts: false, renameTop: name });
  } finally {
    closeSync(parentFd);
  }
}
