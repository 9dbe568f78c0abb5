import { stat } from 'node:fs/promises';
import { type ContainerCreate, type DeviceMapping, StevedoreError } from '@stevedore/shared';
import { readTextInRoot } from '../../storage/confined/read-in-root.js';
import type { SharedNamespaces } from '../bundle/build-spec.js';
import type { OciDevice } from '../bundle/oci-spec.js';
import { deviceNumbers } from '../host-devices.js';
import { parseGroup } from '../rootfs/users.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';
import { shmSource } from './ipc-shm.js';

/**
 * What `--device`, `--group-add`, `--pid`, `--ipc` and `--uts` turn into when a container starts,
 * and the checks Docker makes of them (and of `--volumes-from`) when it is created.
 */

/** Create-time checks: the containers named exist, the devices exist, the hostname fits the UTS mode. */
export async function checkRunOptions(input: ContainerCreate, store: ContainerStore): Promise<void> {
  const host = input.HostConfig;
  if (host.UTSMode === 'host' && input.Config.Hostname !== '') {
    throw new StevedoreError('INVALID_ARGUMENT', 'Conflicting options: hostname and the UTS mode');
  }
  if (host.PidMode.startsWith('container:')) joinedContainer(store, host.PidMode, '--pid');
  if (host.IpcMode.startsWith('container:')) {
    const donor = joinedContainer(store, host.IpcMode, '--ipc');
    const donorMode = donor.HostConfig.IpcMode;
    if (donorMode !== 'shareable' && donorMode !== 'host' && !donorMode.startsWith('container:')) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `non-shareable IPC (hint: use IpcMode:shareable for the donor container)`,
        { container: donor.Id },
      );
    }
  }
  for (const entry of host.VolumesFrom) store.get(entry.split(':')[0]!);
  await hostDevices(host.Devices);
}

function joinedContainer(store: ContainerStore, mode: string, flag: string): ContainerRecord {
  const ref = mode.slice('container:'.length);
  const target = store.find(ref);
  if (!target) {
    throw new StevedoreError('NOT_FOUND', `No such container: ${ref} (${flag} ${mode})`, { container: ref });
  }
  return target;
}

/** `--device`s as OCI device nodes, from the host's nodes (Docker's error for a missing one). */
export async function hostDevices(devices: readonly DeviceMapping[]): Promise<OciDevice[]> {
  return Promise.all(
    devices.map(async (device) => {
      const stats = await stat(device.PathOnHost).catch((error: NodeJS.ErrnoException) => {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          `error gathering device information while adding custom device "${device.PathOnHost}": ${error.code === 'ENOENT' ? 'no such file or directory' : error.message}`,
          { device: device.PathOnHost },
        );
      });
      if (!stats.isCharacterDevice() && !stats.isBlockDevice()) {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          `error gathering device information while adding custom device "${device.PathOnHost}": not a device node`,
          { device: device.PathOnHost },
        );
      }
      return {
        path: device.PathInContainer,
        type: stats.isCharacterDevice() ? ('c' as const) : ('b' as const),
        ...deviceNumbers(stats.rdev),
        fileMode: stats.mode & 0o7777,
        uid: 0,
        gid: 0,
      };
    }),
  );
}

/** `--group-add` names and GIDs → GIDs, names looked up in the container's /etc/group. */
export function extraGroups(rootfs: string, groups: readonly string[]): number[] {
  if (groups.length === 0) return [];
  const entries = parseGroup(readTextInRoot(rootfs, '/etc/group') ?? '');
  return groups.map((group) => {
    if (/^\d+$/.test(group)) return Number(group);
    const entry = entries.find((candidate) => candidate.name === group);
    if (!entry) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `Unable to find group ${group}: no matching entries in group file`,
        {
          group,
        },
      );
    }
    return entry.gid;
  });
}

/**
 * The PID, IPC and UTS namespaces as `--pid`/`--ipc`/`--uts` ask: the host's, another container's or
 * new; and /dev/shm as ipc-shm.ts says.
 */
export function sharedNamespaces(record: ContainerRecord, store: ContainerStore): SharedNamespaces {
  const host = record.HostConfig;
  const running = (mode: string, flag: string) => {
    const target = joinedContainer(store, mode, flag);
    if (!target.State.Running || target.State.Pid <= 0) {
      throw new StevedoreError(
        'CONFLICT',
        `cannot join ${flag.slice(2).toUpperCase()} of a non running container: ${target.Name}`,
        {
          container: target.Id,
        },
      );
    }
    return target.State.Pid;
  };
  const pid =
    host.PidMode === 'host'
      ? 'host'
      : host.PidMode.startsWith('container:')
        ? { path: `/proc/${running(host.PidMode, '--pid')}/ns/pid` }
        : 'new';
  const ipc: SharedNamespaces['ipc'] =
    host.IpcMode === 'host'
      ? 'host'
      : host.IpcMode.startsWith('container:')
        ? { path: `/proc/${running(host.IpcMode, '--ipc')}/ns/ipc` }
        : 'new';
  const shmFrom = shmSource(record, store);
  const shm: SharedNamespaces['shm'] =
    shmFrom !== null ? { source: shmFrom } : host.IpcMode === 'none' ? 'none' : 'own';
  return { pid, ipc, uts: host.UTSMode === 'host' ? 'host' : 'new', shm };
}
