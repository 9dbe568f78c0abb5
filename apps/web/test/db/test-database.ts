import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDb, type Db, type DbProvider } from '../../src/server/db/client';
import { startPostgres } from '../harness/postgres';

const repoRoot = resolve(import.meta.dirname, '../../../..');

export interface TestDatabase {
  db: Db;
  url: string;
  close(): Promise<void>;
}

/** A fresh database of the given provider, migrated by the real `migrate deploy` of the committed migrations. */
export async function openTestDatabase(provider: DbProvider): Promise<TestDatabase> {
  let url: string;
  let dispose: () => Promise<void>;
  if (provider === 'postgresql') {
    const pg = await startPostgres();
    url = pg.url;
    dispose = pg.stop;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'stevedore-sqlite-'));
    url = `file:${join(dir, 'test.db')}`;
    dispose = async () => rmSync(dir, { recursive: true, force: true });
  }
  const deployed = spawnSync('node', ['scripts/db.mjs', 'deploy'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  if (deployed.status !== 0) {
    await dispose();
    throw new Error(`migrate deploy failed for ${provider}: ${deployed.stderr}`);
  }
  const db = createDb(url);
  return {
    db,
    url,
    close: async () => {
      await db.$disconnect();
      await dispose();
    },
  };
}
