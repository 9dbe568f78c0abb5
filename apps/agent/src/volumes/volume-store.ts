import { randomBytes } from 'node:crypto';
import { chown, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError, type Volume, VolumeSchema } from '@stevedore/shared';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-file.js';
import { unmountLocalVolume } from './local-driver.js';

const VolumeRecordSchema = VolumeSchema.extend({
  /** Made for an image VOLUME or `-v /path` without a name; `rm -v` and `--rm` remove it. */
  Anonymous: z.boolean(),
  /** Whether the image's content at the mount point was copied in (done once, on first use). */
  Populated: z.boolean(),
});
export type VolumeRecord = z.infer<typeof VolumeRecordSchema>;

/** Local volumes: `<data-root>/volumes/<name>/_data`, metadata beside it. */
export class VolumeStore {
  constructor(
    readonly dir: string,
    /** Who owns a new volume's data: the mapped root under `--userns-remap`. */
    private readonly owner: { uid: number; gid: number } | null = null,
  ) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o701 });
  }

  async list(): Promise<VolumeRecord[]> {
    const names = await readdir(this.dir).catch(() => []);
    const records = await Promise.all(names.map((name) => this.find(name)));
    return records.filter((r): r is VolumeRecord => r !== null);
  }

  async find(name: string): Promise<VolumeRecord | null> {
    const text = await readFile(join(this.dir, name, 'volume.json'), 'utf8').catch(() => null);
    if (text === null) return null;
    const parsed = VolumeRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  }

  async get(name: string): Promise<VolumeRecord> {
    const record = await this.find(name);
    if (!record) throw new StevedoreError('NOT_FOUND', `get ${name}: no such volume`, { volume: name });
    return record;
  }

  /** Creates the volume, or returns it when it exists (Docker's create is idempotent). */
  async ensure(
    name: string | null,
    labels: Record<string, string> = {},
    options: Record<string, string> = {},
  ): Promise<VolumeRecord> {
    const volumeName = name ?? randomBytes(32).toString('hex');
    const existing = await this.find(volumeName);
    if (existing) return existing;
    const mountpoint = join(this.dir, volumeName, '_data');
    // One level at a time: a recursive mkdir on a full disk reports ENOENT instead of ENOSPC.
    await mkdir(join(this.dir, volumeName), { mode: 0o755 }).catch(ignoreExisting);
    try {
      await mkdir(mountpoint, { mode: 0o755 }).catch(ignoreExisting);
      if (this.owner) await chown(mountpoint, this.owner.uid, this.owner.gid);
    } catch (error) {
      await rm(join(this.dir, volumeName), { recursive: true, force: true });
      throw error;
    }
    const record: VolumeRecord = {
      Name: volumeName,
      Driver: 'local',
      Mountpoint: mountpoint,
      CreatedAt: new Date().toISOString(),
      Labels: labels,
      Scope: 'local',
      Options: options,
      Anonymous: name === null,
      Populated: false,
    };
    try {
      await this.save(record);
    } catch (error) {
      // No half-made volume stays behind (a full disk refuses the record).
      await rm(join(this.dir, volumeName), { recursive: true, force: true });
      throw error;
    }
    return record;
  }

  async save(record: VolumeRecord): Promise<void> {
    await writeFileAtomic(join(this.dir, record.Name, 'volume.json'), JSON.stringify(record));
  }

  async remove(name: string): Promise<void> {
    const record = await this.find(name);
    if (record) await unmountLocalVolume(record);
    await rm(join(this.dir, name), { recursive: true, force: true });
  }
}

export const publicVolume = ({ Anonymous: _a, Populated: _p, ...volume }: VolumeRecord): Volume => volume;

function ignoreExisting(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}
