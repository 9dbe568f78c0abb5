import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresClient } from '../../generated/prisma-postgresql/client';
import { PrismaClient as SqliteClient } from '../../generated/prisma-sqlite/client';

/**
 * The control-plane database client. Both generated clients come from the same models (the
 * PostgreSQL schema is derived from the SQLite one), so their model APIs are identical; the
 * repositories are written once against this type.
 */
export type Db = InstanceType<typeof SqliteClient>;
export type DbProvider = 'sqlite' | 'postgresql';

export const providerOf = (databaseUrl: string): DbProvider =>
  /^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgresql' : 'sqlite';

/** `file:/abs/path.db` → SQLite; `postgres://` or `postgresql://` → PostgreSQL. */
export function createDb(databaseUrl: string): Db {
  if (providerOf(databaseUrl) === 'postgresql') {
    const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
    // Same models, same generated API: see the type comment above.
    return client as unknown as Db;
  }
  if (!databaseUrl.startsWith('file:')) {
    throw new Error(
      `DATABASE_URL must be file:/path/to.db or postgresql://…; got "${databaseUrl.split(':')[0]}:…"`,
    );
  }
  return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl }) });
}
