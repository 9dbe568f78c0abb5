import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import { writeFileAtomic } from '../../util/atomic-file.js';
import type { Logger } from '../../util/logger.js';
import { type ContainerRecord, ContainerRecordSchema } from './container-record.js';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * Container records: one directory per container under `<data-root>/containers/`, its record
 * written atomically; an in-memory index answers lookups by ID, ID prefix and name.
 *
 * A change of what a container *is* (create, rename) is written before it counts (`save`). A
 * change of what it *does* (started, stopped, exited) already happened on the host, so it counts
 * at once and is written in the background (`update`): a full disk must not stop a container from
 * being stopped or its exit from being known. Such a write that fails is logged and retried with
 * backoff until it lands; always the newest record is written.
 */
export class ContainerStore {
  private readonly records = new Map<string, ContainerRecord>();
  /** Containers whose record in memory is newer than the one on disk. */
  private readonly unsaved = new Set<string>();
  /** The background writer of each container with unsaved changes. */
  private readonly writers = new Map<string, Promise<void>>();
  /** Ends a background writer's wait before its next attempt. */
  private readonly wakers = new Map<string, () => void>();

  constructor(
    readonly dir: string,
    private readonly log?: Logger,
  ) {}

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

  /** Writes the record and then makes it current; a write that fails changes nothing and throws. */
  async save(record: ContainerRecord): Promise<void> {
    const id = record.Id;
    await mkdir(this.containerDir(id), { recursive: true, mode: 0o711 });
    const previous = this.records.get(id);
    this.records.set(id, record);
    try {
      await writeFileAtomic(this.recordFile(id), JSON.stringify(record));
    } catch (error) {
      if (this.records.get(id) === record) {
        if (previous) this.records.set(id, previous);
        else this.records.delete(id);
      }
      throw error;
    }
    // A background write that started before this one may land after it: let it write again.
    if (this.writers.has(id)) this.unsaved.add(id);
  }

  /** Makes the record current at once and writes it in the background (retried until it lands). */
  update(record: ContainerRecord): void {
    this.records.set(record.Id, record);
    this.unsaved.add(record.Id);
    if (this.writers.has(record.Id)) return;
    const writer = this.writeUnsaved(record.Id).finally(() => this.writers.delete(record.Id));
    this.writers.set(record.Id, writer);
  }

  /**
   * Resolves once the container's changes are on disk, or after `timeoutMs` when they cannot be
   * written now (a full disk): an API answer normally means "saved", but never waits on the disk.
   */
  async written(id: string, timeoutMs = 1000): Promise<void> {
    const writer = this.writers.get(id);
    if (!writer) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([writer, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Resolves once the container has no change left to write (or is deleted). */
  async saved(id: string): Promise<void> {
    await this.writers.get(id);
  }

  isSaved(id: string): boolean {
    return !this.unsaved.has(id) && !this.writers.has(id);
  }

  /** Space was freed (a container removed): writes waiting for their next attempt go now. */
  retryUnsaved(): void {
    for (const wake of [...this.wakers.values()]) wake();
  }

  /** How many containers have state changes not yet on disk (for `info`). */
  unsavedCount(): number {
    return this.unsaved.size;
  }

  private async writeUnsaved(id: string): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let failures = 0;
    while (this.unsaved.delete(id)) {
      const record = this.records.get(id);
      if (!record) return;
      try {
        await writeFileAtomic(this.recordFile(id), JSON.stringify(record));
        if (failures > 0) this.log?.info({ id, failures }, 'container state saved after failed attempts');
        failures = 0;
        delay = FIRST_RETRY_MS;
      } catch (error) {
        if (!this.records.has(id)) return; // removed meanwhile: nothing left to save
        this.unsaved.add(id);
        failures++;
        this.log?.warn(
          { error: error instanceof Error ? error.message : String(error), id, failures, retryInMs: delay },
          'cannot save container state; it is kept in memory and saved again later',
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay).unref();
          this.wakers.set(id, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        this.wakers.delete(id);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
  }

  async delete(id: string): Promise<void> {
    this.records.delete(id);
    this.unsaved.delete(id);
    this.wakers.get(id)?.();
    // A write in flight would put the record back into the directory being removed.
    await this.writers.get(id);
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
