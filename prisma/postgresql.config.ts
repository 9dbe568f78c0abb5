// Prisma CLI configuration for PostgreSQL (when DATABASE_URL is a postgres URL). The schema is the
// twin derived from prisma/schema.prisma by `node scripts/db.mjs sync-schemas`.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { defineConfig } from 'prisma/config';

// The schema engine reads PostgreSQL's catalogs, whose `name` and `"char"` columns adapter-pg 6.19
// cannot map ("Column type 'name' could not be deserialized"). Both are plain text on the wire, so
// the CLI's pool reports them as text. Only the CLI uses this pool; the app's client does not.
const CATALOG_TEXT_TYPES = new Set([18 /* "char" */, 19 /* name */]);
const TEXT = 25;

class CatalogFriendlyPool extends pg.Pool {
  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads cannot be re-declared precisely here
  override async query(...args: any[]): Promise<any> {
    // biome-ignore lint/suspicious/noExplicitAny: see above
    const result = await (super.query as (...a: any[]) => Promise<pg.QueryResult>)(...args);
    for (const field of result.fields ?? []) {
      if (CATALOG_TEXT_TYPES.has(field.dataTypeID)) field.dataTypeID = TEXT;
    }
    return result;
  }
}

// The WebAssembly schema engine guards `pg_advisory_lock` (taken by `migrate deploy`) with a 10 s
// timer it never clears, so every PostgreSQL command lingered 10 s after finishing. Unref'd, the timer
// still fires while the CLI waits on the lock (the waiting connection keeps the process alive), but
// no longer holds the process open once the work is done. Only this CLI process is affected.
const LOCK_GUARD_MS = 10_000;
const setTimer = globalThis.setTimeout;
globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = setTimer(callback, ms, ...args);
  if ((ms ?? 0) >= LOCK_GUARD_MS) timer.unref();
  return timer;
}) as typeof setTimeout;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'postgresql/schema.prisma',
  migrations: { path: 'migrations/postgresql' },
  adapter: async () =>
    new PrismaPg(
      new CatalogFriendlyPool({ connectionString: process.env.DATABASE_URL, allowExitOnIdle: true }),
      { disposeExternalPool: true },
    ),
});
