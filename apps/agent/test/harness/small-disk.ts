import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statfsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const run = (command: string, args: string[]) => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};

/** Bytes an unprivileged writer could still add (the filesystem has no reserved blocks). */
export const freeBytes = (path: string): number => {
  const fs = statfsSync(path);
  return fs.bavail * fs.bsize;
};

/**
 * Writes `file` until the filesystem refuses a single block more; again when a block came free
 * meanwhile (delayed allocation gives back what it had reserved).
 */
export const fillUp = (file: string): void => {
  for (let round = 0; round < 5 && (round === 0 || freeBytes(dirname(file)) > 0); round++) {
    spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', 'oflag=append', 'conv=notrunc'], {
      stdio: 'ignore',
    });
    spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=4k', 'oflag=append', 'conv=notrunc'], {
      stdio: 'ignore',
    });
    spawnSync('sync', [dirname(file)]);
  }
};

/** A small ext4 on a loop device, mounted at `mountPoint`; `remove()` undoes every step done. */
export interface SmallDisk {
  mountPoint: string;
  remove(): void;
}

/**
 * Makes a `size` (`truncate -s` syntax, e.g. 64M) ext4 of its own under a new /tmp folder named
 * with `prefix`, with no blocks reserved for root (the agent and the containers run as root, so
 * "full" means full for them too). A failing step undoes the ones before it.
 */
export function makeSmallDisk(prefix: string, size: string): SmallDisk {
  const work = mkdtempSync(join('/tmp', prefix));
  const mountPoint = join(work, 'mnt');
  let loopDevice = '';
  let mounted = false;
  const remove = () => {
    if (mounted && spawnSync('umount', [mountPoint]).status !== 0)
      spawnSync('umount', ['--lazy', mountPoint]);
    if (loopDevice) spawnSync('losetup', ['-d', loopDevice]);
    // Never into a mount that is still there (a busy one the lazy unmount has not let go of yet).
    spawnSync('rm', ['-rf', '--one-file-system', work]);
  };
  try {
    const disk = join(work, 'disk.img');
    mkdirSync(mountPoint);
    run('truncate', ['-s', size, disk]);
    run('mkfs.ext4', ['-q', '-F', '-m', '0', '-b', '4096', disk]);
    loopDevice = run('losetup', ['--find', '--show', disk]).trim();
    run('mount', [loopDevice, mountPoint]);
    mounted = true;
  } catch (error) {
    remove();
    throw error;
  }
  return { mountPoint, remove };
}
