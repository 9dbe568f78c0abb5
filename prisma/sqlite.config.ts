// Prisma CLI configuration for SQLite (the default). Uses the WebAssembly schema engine through the
// driver adapter, so generate / migrate diff / migrate deploy work with no engine download.
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'schema.prisma',
  migrations: { path: 'migrations/sqlite' },
  adapter: async () => new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? 'file:./dev.db' }),
});
