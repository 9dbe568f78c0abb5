import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type HostConfig, StevedoreError } from '@stevedore/shared';
import { isMountPoint } from '../../storage/overlay2/layer-store.js';
import { execFile } from '../../util/exec.js';
import { DEFAULT_SHM_SIZE } from '../bundle/default-profile.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';

/**
 * /dev/shm as Docker's `--ipc` modes have it: `shareable` mounts a tmpfs on the host (in the
 * container's directory) and binds it in, so `--ipc container:NAME` can bind the same one;
 * `host` binds the host's /dev/shm; `private` (and the default) gets a tmpfs of its own in the
 * container's mount namespace; `none` has none.
 */
export const shmDirectory = (store: ContainerStore, id: string) =>
  join(store.containerDir(id), 'mounts', 'shm');

/** The host directory a container's /dev/shm is bound from, or null when it has its own (or none). */
export function shmSource(record: ContainerRecord, store: ContainerStore): string | null {
  const mode = record.HostConfig.IpcMode;
  if (mode === 'shareable') return shmDirectory(store, record.Id);
  if (mode === 'host') return '/dev/shm';
  if (mode.startsWith('container:')) return donorShm(mode, store, new Set([record.Id]));
  return null;
}

/** A donor's /dev/shm: Docker's rule, the donor runs and is shareable (or the host's, or joins one). */
function donorShm(mode: string, store: ContainerStore, seen: Set<string>): string {
  const ref = mode.slice('container:'.length);
  const errorFor = `can't join IPC of container ${ref}`;
  const donor = store.find(ref);
  if (!donor)
    throw new StevedoreError('NOT_FOUND', `${errorFor}: No such container: ${ref}`, { container: ref });
  if (!donor.State.Running || seen.has(donor.Id)) {
    throw new StevedoreError('CONFLICT', `${errorFor}: Container ${donor.Id} is not running`, {
      container: donor.Id,
    });
  }
  seen.add(donor.Id);
  const donorMode = donor.HostConfig.IpcMode;
  if (donorMode === 'shareable') return shmDirectory(store, donor.Id);
  if (donorMode === 'host') return '/dev/shm';
  if (donorMode.startsWith('container:')) return donorShm(donorMode, store, seen);
  throw new StevedoreError(
    'INVALID_ARGUMENT',
    `${errorFor}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`,
    { container: donor.Id },
  );
}

/** Mounts a `shareable` container's /dev/shm tmpfs on the host (its size `--shm-size`), once per run. */
export async function mountShareableShm(record: ContainerRecord, store: ContainerStore): Promise<void> {
  if (record.HostConfig.IpcMode !== 'shareable') return;
  const dir = shmDirectory(store, record.Id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (await isMountPoint(dir)) return;
  await execFile(
    'mount',
    ['-t', 'tmpfs', '-o', `mode=1777,size=${shmSize(record.HostConfig)},nosuid,nodev,noexec`, 'shm', dir],
    { check: true },
  );
}

/** Unmounts it when the container stops: joiners that still run keep theirs through their own bind. */
export async function unmountShareableShm(id: string, store: ContainerStore): Promise<void> {
  const dir = shmDirectory(store, id);
  if (!(await isMountPoint(dir))) return;
  const result = await execFile('umount', [dir]);
  if (result.code !== 0) await execFile('umount', ['--lazy', dir], { check: true });
}

export const shmSize = (host: HostConfig) => host.ShmSize || DEFAULT_SHM_SIZE;
