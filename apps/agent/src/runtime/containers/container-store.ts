import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { type ContainerRecord, ContainerRecordSchema } from './container-record.js';

/**
 * Container records: one directory per container under `<data-root>/containers/`, its record
 * written atomically; an in-memory index answers lookups by ID, ID prefix and name.
 */
export class ContainerStore {
  private readonly records = new Map<string, ContainerRecord>();

  constructor(readonly dir: string) {}

  /** Loads every record; a directory without a readable record (a crash mid-create) is removed. */
  async load(): Promise<ContainerRecord[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o711 });
    for (const id of await readdir(this.dir)) {
      if (!/^[a-f0-9]{64}$/.test(id)) continue;
      const text = await readFile(this.recordFile(id), 'utf8').catch(() => null);
      const parsed = text === null ? null : ContainerRecordSchema.safeParse(JSON.parse(text));
      if (parsed?.success) this.records.set(id, parsed.data);
      else await rm(join(this.dir, id), { recursive: true, force: true });
    }
    return this.all();
  }

  all(): ContainerRecord[] {
    return [...this.records.values()];
  }

  containerDir(id: string): string {
    return join(this.dir, id);
  }

  async save(record: ContainerRecord): Promise<void> {
    await mkdir(this.containerDir(record.Id), { recursive: true, mode: 0o711 });
    await writeFileAtomic(this.recordFile(record.Id), JSON.stringify(record));
    this.records.set(record.Id, record);
  }

  async delete(id: string): Promise<void> {
    this.records.delete(id);
    await rm(this.containerDir(id), { recursive: true, force: true });
  }

  byName(name: string): ContainerRecord | undefined {
    return this.all().find((record) => record.Name === name);
  }

  /** Docker's lookup order: full ID, exact name, then a unique ID prefix. */
  find(ref: string): ContainerRecord | undefined {
    const bare = ref.replace(/^\//, '');
    const exact = this.records.get(bare) ?? this.byName(bare);
    if (exact) return exact;
    if (!/^[a-f0-9]+$/.test(bare)) return undefined;
    const matches = this.all().filter((record) => record.Id.startsWith(bare));
    if (matches.length > 1) {
      throw new StevedoreError('CONFLICT', `multiple containers found with provided prefix: ${bare}`, {
        container: ref,
      });
    }
    return matches[0];
  }

  get(ref: string): ContainerRecord {
    const record = this.find(ref);
    if (!record) throw new StevedoreError('NOT_FOUND', `No such container: ${ref}`, { container: ref });
    return record;
  }

  private recordFile(id: string): string {
    return join(this.dir, id, 'container.json');
  }
}
