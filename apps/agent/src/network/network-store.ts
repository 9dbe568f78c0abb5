import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { type NetworkRecord, NetworkRecordSchema } from './network-record.js';

/** Network records on disk, one JSON file each, written atomically. */
export class NetworkStore {
  constructor(readonly dir: string) {}

  async loadAll(): Promise<NetworkRecord[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = (await readdir(this.dir)).filter((name) => name.endsWith('.json'));
    const records: NetworkRecord[] = [];
    for (const name of names) {
      const text = await readFile(join(this.dir, name), 'utf8');
      records.push(NetworkRecordSchema.parse(JSON.parse(text)));
    }
    return records;
  }

  save(record: NetworkRecord): Promise<void> {
    return writeFileAtomic(join(this.dir, `${record.Id}.json`), JSON.stringify(record, null, 2));
  }

  delete(id: string): Promise<void> {
    return rm(join(this.dir, `${id}.json`), { force: true });
  }
}
