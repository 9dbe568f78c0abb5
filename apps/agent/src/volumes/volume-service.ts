import { StevedoreError, type Volume } from '@stevedore/shared';
import type { EventBus } from '../events/event-bus.js';
import { publicVolume, type VolumeStore } from './volume-store.js';

/** `docker volume ...`: local volumes, refused removal while a container uses one. */
export class VolumeService {
  constructor(
    private readonly store: VolumeStore,
    private readonly events: EventBus,
    private readonly usedBy: (name: string) => boolean,
  ) {}

  async list(): Promise<Volume[]> {
    return (await this.store.list()).map(publicVolume).sort((a, b) => a.Name.localeCompare(b.Name));
  }

  async create(name: string | null, labels: Record<string, string>): Promise<Volume> {
    const existed = name !== null && (await this.store.find(name)) !== null;
    const volume = await this.store.ensure(name, labels);
    if (!existed) this.events.publish('volume', 'create', volume.Name, { driver: 'local' });
    return publicVolume(volume);
  }

  async inspect(name: string): Promise<Volume> {
    return publicVolume(await this.store.get(name));
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
