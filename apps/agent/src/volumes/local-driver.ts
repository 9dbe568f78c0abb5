import { StevedoreError } from '@stevedore/shared';
import { isMountPoint } from '../storage/overlay2/layer-store.js';
import { execFile } from '../util/exec.js';

/**
 * Docker's `local` volume driver options (`volume create --opt`, `--mount volume-opt=`): `type`,
 * `device` and `o` make the volume a mount of its own (a tmpfs, say), mounted while a container
 * uses it and unmounted after the last one stops, as Docker's driver does.
 */
/** What of a volume its mounting needs. */
type LocalVolume = { Name: string; Mountpoint: string; Options: Record<string, string> };

const REQUIRED: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device'] };

/** Refuses another driver and the options the local driver has not (Docker's words). */
export function checkLocalDriver(name: string, driver: string, options: Record<string, string>): void {
  if (driver !== 'local') {
    throw new StevedoreError(
      'NOT_FOUND',
      `error looking up volume plugin ${driver}: plugin "${driver}" not found`,
      {
        driver,
      },
    );
  }
  const fail = (message: string) =>
    new StevedoreError('INVALID_ARGUMENT', `create ${name}: ${message}`, { volume: name });
  for (const key of Object.keys(options)) {
    if (key === 'size') throw fail('quota size requested but no quota support');
    if (!(key in REQUIRED)) throw fail(`invalid option: "${key}"`);
  }
  for (const [key, needs] of Object.entries(REQUIRED)) {
    if (!(key in options)) continue;
    for (const need of needs) if (!(need in options)) throw fail(`missing required option: "${need}"`);
  }
}

export const mountsItself = (volume: LocalVolume) => volume.Options.device !== undefined;

/** Mounts the volume's device on its data directory, unless it is mounted already. */
export async function mountLocalVolume(volume: LocalVolume): Promise<void> {
  if (!mountsItself(volume) || (await isMountPoint(volume.Mountpoint))) return;
  const { type = '', device = '', o } = volume.Options;
  const result = await execFile('mount', ['-t', type, ...(o ? ['-o', o] : []), device, volume.Mountpoint]);
  if (result.code !== 0) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `error while mounting volume '${volume.Mountpoint}': failed to mount local volume: mount ${device}:${volume.Mountpoint}, flags: ${o ?? ''}: ${result.stderr.trim()}`,
      { volume: volume.Name },
    );
  }
}

export async function unmountLocalVolume(volume: LocalVolume): Promise<void> {
  if (!mountsItself(volume) || !(await isMountPoint(volume.Mountpoint))) return;
  const result = await execFile('umount', [volume.Mountpoint]);
  if (result.code !== 0) await execFile('umount', ['--lazy', volume.Mountpoint], { check: true });
}
