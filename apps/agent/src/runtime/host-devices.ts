import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import type { ThrottleDevice } from './bundle/build-spec.js';
import type { OciDevice } from './bundle/oci-spec.js';

/** `--device-read-bps /dev/sda:1mb` paths → major:minor, refusing what is not a block device. */
export async function throttleDevices(
  entries: readonly { Path: string; Rate: number }[],
): Promise<ThrottleDevice[]> {
  return Promise.all(
    entries.map(async ({ Path, Rate }) => {
      const stats = await stat(Path).catch(() => null);
      if (!stats?.isBlockDevice()) {
        throw new StevedoreError('INVALID_ARGUMENT', `${Path} is not a block device`, { device: Path });
      }
      return { major: devMajor(stats.rdev), minor: devMinor(stats.rdev), rate: Rate };
    }),
  );
}

// glibc's major()/minor(); JavaScript's shifts are 32-bit, so the high word is taken by division.
const highWord = (rdev: number) => Math.floor(rdev / 2 ** 32);
const devMajor = (rdev: number) => ((rdev >>> 8) & 0xfff) | (highWord(rdev) & 0xfffff000);
const devMinor = (rdev: number) => (rdev & 0xff) | ((rdev >>> 12) & 0xfff00);

/** A device node's major and minor numbers, from its `rdev`. */
export const deviceNumbers = (rdev: number) => ({ major: devMajor(rdev), minor: devMinor(rdev) });

/** Every device node under /dev (not following symlinks), for privileged containers. */
export async function hostDevices(dir = '/dev'): Promise<OciDevice[]> {
  const devices: OciDevice[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['pts', 'shm', 'mqueue', 'fd'].includes(entry.name)) continue;
      devices.push(...(await hostDevices(path)));
    } else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
      const stats = await stat(path).catch(() => null);
      if (!stats || path === '/dev/console' || path.startsWith('/dev/tty') || path === '/dev/ptmx') continue;
      devices.push({
        path,
        type: entry.isCharacterDevice() ? 'c' : 'b',
        major: devMajor(stats.rdev),
        minor: devMinor(stats.rdev),
        fileMode: stats.mode & 0o7777,
        uid: stats.uid,
        gid: stats.gid,
      });
    }
  }
  return devices;
}
