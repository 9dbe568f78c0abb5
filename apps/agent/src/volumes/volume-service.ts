import {
  booleanFilter,
  groupFilters,
  labelMatches,
  matchesFilters,
  type PruneReport,
  StevedoreError,
  type Volume,
} from '@stevedore/shared';
import type { EventBus } from '../events/event-bus.js';
import { diskUsage } from '../util/disk-usage.js';
import { checkLocalDriver } from './local-driver.js';
import { publicVolume, type VolumeStore } from './volume-store.js';

/** `docker volume ...`: local volumes, refused removal while a container uses one. */
export class VolumeService {
  constructor(
    private readonly store: VolumeStore,
    private readonly events: EventBus,
    private readonly usedBy: (name: string) => boolean,
  ) {}

  /** `docker volume ls`; `filters`: dangling=true|false (used by no container), driver=, label=KEY[=VALUE], name= (a part of it). */
  async list(filters: readonly string[] = []): Promise<Volume[]> {
    const grouped = groupFilters(filters);
    return (await this.store.list())
      .map(publicVolume)
      .filter((volume) =>
        matchesFilters(grouped, (key, value) => {
          switch (key) {
            case 'dangling':
              return booleanFilter(key, value) === !this.usedBy(volume.Name);
            case 'driver':
              return volume.Driver === value;
            case 'label':
              return labelMatches(volume.Labels, value);
            case 'name':
              return volume.Name.includes(value);
            default:
              return true;
          }
        }),
      )
      .sort((a, b) => a.Name.localeCompare(b.Name));
  }

  async create(
    name: string | null,
    labels: Record<string, string>,
    driver = 'local',
    options: Record<string, string> = {},
  ): Promise<Volume> {
    checkLocalDriver(name ?? '', driver, options);
    const existed = name !== null && (await this.store.find(name)) !== null;
    const volume = await this.store.ensure(name, labels, options);
    if (!existed) this.events.publish('volume', 'create', volume.Name, { driver: 'local' });
    return publicVolume(volume);
  }

  async inspect(name: string): Promise<Volume> {
    return publicVolume(await this.store.get(name));
  }

  /** `docker volume prune`: unused anonymous volumes, or with `all` every unused volume. */
  async prune(all: boolean): Promise<PruneReport> {
    const unused = (await this.store.list()).filter(
      (volume) => (all || volume.Anonymous) && !this.usedBy(volume.Name),
    );
    const sizes = await diskUsage(unused.map((volume) => volume.Mountpoint));
    const report: PruneReport = { deleted: [], untagged: [], spaceReclaimed: 0 };
    for (const volume of unused) {
      await this.remove(volume.Name, false);
      report.deleted.push(volume.Name);
      report.spaceReclaimed += sizes.get(volume.Mountpoint) ?? 0;
    }
    return report;
  }

  /** Every volume with its data directory and whether a container uses it, for `system df`. */
  async usage(): Promise<{ name: string; mountpoint: string; inUse: boolean; anonymous: boolean }[]> {
    return (await this.store.list()).map((volume) => ({
      name: volume.Name,
      mountpoint: volume.Mountpoint,
      inUse: this.usedBy(volume.Name),
      anonymous: volume.Anonymous,
    }));
  }

  async remove(name: string, force: boolean): Promise<void> {
    const volume = await this.store.find(name);
    if (!volume) {
      if (force) return;
      throw new StevedoreError('NOT_FOUND', `get ${name}: no such volume`, { volume: name });
    }
    if (this.usedBy(name)) {
      throw new StevedoreError('CONFLICT', `remove ${name}: volume is in use`, { volume: name });
    }
    await this.store.remove(name);
    this.events.publish('volume', 'destroy', name, { driver: 'local' });
  }
}
