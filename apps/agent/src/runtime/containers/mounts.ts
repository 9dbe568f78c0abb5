import { closeSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { isAbsolute, normalize } from 'node:path';
import {
  BIND_MODE_OPTIONS,
  type ContainerConfig,
  type HostConfig,
  type MountPoint,
  StevedoreError,
} from '@stevedore/shared';
import { atForChild, fdPath } from '../../storage/confined/fd-path.js';
import { openDirectoryInRoot } from '../../storage/confined/resolve-in-root.js';
import { execFile } from '../../util/exec.js';
import { checkLocalDriver, mountLocalVolume } from '../../volumes/local-driver.js';
import type { VolumeRecord, VolumeStore } from '../../volumes/volume-store.js';
import type { SpecMount } from '../bundle/build-spec.js';

const invalid = (message: string, bind: string) =>
  new StevedoreError('INVALID_ARGUMENT', `invalid volume specification: '${bind}': ${message}`, { bind });

/**
 * The container's mounts, decided at create like Docker: `-v /host:/ctr` binds of a host file or
 * directory (a missing one is created as a directory), `-v name:/ctr` named volumes, and an anonymous volume for
 * every image VOLUME nothing else covers.
 */
export async function resolveMounts(
  config: ContainerConfig,
  host: HostConfig,
  volumes: VolumeStore,
  /** `--volumes-from`: the mounts of another container, by name or ID. */
  mountsOf: (ref: string) => MountPoint[] = () => [],
): Promise<MountPoint[]> {
  const mounts: MountPoint[] = [];
  const taken = new Set<string>();
  const claim = (destination: string, spec: string) => {
    const clean = normalize(destination).replace(/(.)\/$/, '$1');
    if (clean === '/') throw invalid("destination can't be '/'", spec);
    if (taken.has(clean)) throw new StevedoreError('INVALID_ARGUMENT', `Duplicate mount point: ${clean}`);
    taken.add(clean);
    return clean;
  };
  for (const bind of host.Binds) {
    const parts = bind.split(':');
    // `/ctr` and `/ctr:ro` name only a destination: a new anonymous volume goes there.
    const anonymous = parts.length === 1 || (parts.length === 2 && isModeList(parts[1]!));
    const [source = '', destination = '', mode = ''] = anonymous ? ['', ...parts] : parts;
    const dest = claim(destination, bind);
    const options = mode.split(',').filter(Boolean);
    const rw = !options.includes('ro');
    const propagation = options.find((option) => PROPAGATIONS.has(option));
    if (anonymous) {
      mounts.push(volumeMount(await volumes.ensure(null), dest, mode, rw));
    } else if (isAbsolute(source)) {
      // A missing source is made as a directory (Docker's -v); an existing file or directory binds as it is.
      if (!(await stat(source).catch(() => null))) await mkdir(source, { recursive: true });
      mounts.push({
        Type: 'bind',
        Source: normalize(source),
        Destination: dest,
        Mode: mode,
        RW: rw,
        Propagation: propagation ?? 'rprivate',
      });
    } else {
      if (!VOLUME_NAME.test(source)) throw relativeSource(source);
      mounts.push(volumeMount(await volumes.ensure(source), dest, mode || 'z', rw));
    }
  }
  for (const mount of host.Mounts) {
    const dest = claim(mount.Target, mount.Target);
    if (mount.Type === 'bind') {
      // Unlike -v, --mount never makes a missing source (Docker's rule).
      if (!(await stat(mount.Source).catch(() => null))) {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          `invalid mount config for type "bind": bind source path does not exist: ${mount.Source}`,
          { source: mount.Source },
        );
      }
      mounts.push({
        Type: 'bind',
        Source: normalize(mount.Source),
        Destination: dest,
        Mode: '',
        RW: !mount.ReadOnly,
        Propagation: mount.BindOptions?.Propagation ?? 'rprivate',
      });
    } else if (mount.Type === 'volume') {
      // `volume-driver=`, `volume-opt=` and `volume-label=` make a new volume as `volume create` would.
      const options = mount.VolumeOptions;
      const name = mount.Source === '' ? null : mount.Source;
      checkLocalDriver(
        name ?? '',
        options?.DriverConfig?.Name ?? 'local',
        options?.DriverConfig?.Options ?? {},
      );
      const volume = await volumes.ensure(name, options?.Labels, options?.DriverConfig?.Options);
      mounts.push(volumeMount(volume, dest, 'z', !mount.ReadOnly));
    } else {
      mounts.push({
        Type: 'tmpfs',
        Source: '',
        Destination: dest,
        Mode: '',
        RW: !mount.ReadOnly,
        Propagation: '',
      });
    }
  }
  for (const entry of host.VolumesFrom) {
    const [ref = '', access] = entry.split(':');
    for (const mount of mountsOf(ref)) {
      if (mount.Type === 'tmpfs') continue;
      const dest = claim(mount.Destination, entry);
      const rw = access === undefined ? mount.RW : access === 'rw';
      mounts.push({ ...mount, Destination: dest, RW: rw });
    }
  }
  for (const path of Object.keys(host.Tmpfs)) claim(path, path);
  for (const path of Object.keys(config.Volumes)) {
    const dest = normalize(path);
    if (taken.has(dest)) continue;
    claim(dest, path);
    mounts.push(volumeMount(await volumes.ensure(null), dest, '', true));
  }
  return mounts;
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const PROPAGATIONS = new Set(['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave']);
const isModeList = (text: string) =>
  text.split(',').every((option) => (BIND_MODE_OPTIONS as readonly string[]).includes(option));

/** Docker's refusal of `-v ./dir:/ctr`: a source that is neither an absolute path nor a volume name. */
const relativeSource = (source: string) =>
  new StevedoreError(
    'INVALID_ARGUMENT',
    `create ${source}: "${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    { source },
  );

const volumeMount = (volume: VolumeRecord, destination: string, mode: string, rw: boolean): MountPoint => ({
  Type: 'volume',
  Name: volume.Name,
  Source: volume.Mountpoint,
  Destination: destination,
  Mode: mode,
  RW: rw,
  Propagation: '',
});

/**
 * Mounts in runc's terms. A volume used for the first time gets the image's content at its mount
 * point copied in (Docker's copy-up).
 */
export async function specMounts(
  mounts: MountPoint[],
  host: HostConfig,
  rootfs: string,
  volumes: VolumeStore,
): Promise<SpecMount[]> {
  const result: SpecMount[] = [];
  for (const mount of mounts) {
    if (mount.Type === 'volume' && mount.Name) {
      const volume = await volumes.get(mount.Name);
      await mountLocalVolume(volume);
      // `nocopy` (`-v name:/dst:nocopy`, `--mount volume-nocopy`): the image's content stays out.
      const noCopy =
        mount.Mode.split(',').includes('nocopy') ||
        host.Mounts.some(
          (m) => m.Type === 'volume' && normalize(m.Target) === mount.Destination && m.VolumeOptions?.NoCopy,
        );
      if (!volume.Populated && !noCopy) {
        await copyUp(rootfs, mount.Destination, volume.Mountpoint);
        await volumes.save({ ...volume, Populated: true });
      }
    }
    if (mount.Type === 'tmpfs') {
      const options = host.Mounts.find(
        (m) => m.Type === 'tmpfs' && normalize(m.Target) === mount.Destination,
      )?.TmpfsOptions;
      result.push({
        type: 'tmpfs',
        source: 'tmpfs',
        destination: mount.Destination,
        readonly: !mount.RW,
        options: [
          ...(options?.SizeBytes ? [`size=${options.SizeBytes}`] : []),
          ...(options?.Mode !== undefined ? [`mode=${options.Mode.toString(8)}`] : []),
          ...(mount.RW ? [] : ['ro']),
        ],
      });
      continue;
    }
    result.push({
      type: 'bind',
      source: mount.Source,
      destination: mount.Destination,
      readonly: !mount.RW,
      ...(mount.Propagation && mount.Propagation !== 'rprivate' ? { propagation: mount.Propagation } : {}),
    });
  }
  for (const [destination, options] of Object.entries(host.Tmpfs)) {
    result.push({
      type: 'tmpfs',
      source: 'tmpfs',
      destination,
      readonly: false,
      options: options ? options.split(',') : [],
    });
  }
  return result;
}

/**
 * Docker's copy-up: the image's files at `destination` go into an empty volume. The directory is
 * resolved inside the root (image symlinks stay inside it) and handed to cp as its descriptor.
 */
async function copyUp(rootfs: string, destination: string, volumeDir: string): Promise<void> {
  // A destination the image lacks (or has as a file) has nothing to copy.
  const sourceFd = openDirectoryInRoot(rootfs, destination);
  try {
    const entries = sourceFd === null ? [] : await readdir(fdPath(sourceFd));
    const empty = (await readdir(volumeDir)).length === 0;
    if (sourceFd !== null && entries.length > 0 && empty) {
      await execFile('cp', ['-a', '--', `${atForChild(sourceFd)}/.`, `${volumeDir}/`], { check: true });
    }
  } finally {
    if (sourceFd !== null) closeSync(sourceFd);
  }
}
