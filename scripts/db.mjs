#!/usr/bin/env node
// Control-plane database chores, all offline (Prisma 6.19's WebAssembly schema engine via driver adapters):
//   node scripts/db.mjs sync-schemas        derive prisma/postgresql/schema.prisma from prisma/schema.prisma
//   node scripts/db.mjs generate            generate both Prisma clients (SQLite and PostgreSQL)
//   node scripts/db.mjs new-migration NAME  add a migration per provider from the schema changes
//   node scripts/db.mjs deploy              apply committed migrations to the database of DATABASE_URL
//   node scripts/db.mjs check               exit 0 when the migrations produce the schema, 2 when not
// DATABASE_URL selects the database: postgres:// or postgresql:// → PostgreSQL, otherwise SQLite
// (default file: apps/web/data/stevedore.db).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { repoRoot } from './lib.mjs';
import { startPostgres } from './postgres.mjs';

const prismaDir = join(repoRoot, 'prisma');
const canonicalSchema = join(prismaDir, 'schema.prisma');
const postgresSchema = join(prismaDir, 'postgresql', 'schema.prisma');
export const PROVIDERS = {
  sqlite: { config: join(prismaDir, 'sqlite.config.ts'), schema: canonicalSchema },
  postgresql: { config: join(prismaDir, 'postgresql.config.ts'), schema: postgresSchema },
};

export const defaultDatabaseUrl = () => `file:${join(repoRoot, 'apps/web/data/stevedore.db')}`;
export const providerOf = (url) => (/^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite');

/** The PostgreSQL twin of the canonical schema: same models, another provider and client output. */
export function derivePostgresSchema(canonical) {
  const derived = canonical
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(
      'output              = "../apps/web/src/generated/prisma-sqlite"',
      'output              = "../../apps/web/src/generated/prisma-postgresql"',
    );
  if (derived === canonical || !derived.includes('prisma-postgresql')) {
    throw new Error('prisma/schema.prisma no longer has the provider/output lines sync-schemas rewrites');
  }
  return `// GENERATED from prisma/schema.prisma by \`node scripts/db.mjs sync-schemas\`; do not edit.\n${derived}`;
}

function prisma(args, { provider, url, allowExit = [0], capture = false }) {
  // Prisma's CLI insists on locating native engines it never uses in adapter mode; any existing
  // file satisfies the check and stops it from trying to download them.
  const env = {
    ...process.env,
    DATABASE_URL: url ?? process.env.DATABASE_URL ?? defaultDatabaseUrl(),
    PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  };
  const result = spawnSync(
    join(repoRoot, 'node_modules/.bin/prisma'),
    [...args, '--config', PROVIDERS[provider].config],
    { cwd: prismaDir, env, encoding: 'utf8', stdio: capture ? 'pipe' : ['ignore', 'inherit', 'inherit'] },
  );
  if (!allowExit.includes(result.status)) {
    if (capture) process.stderr.write(result.stderr ?? '');
    throw new Error(`prisma ${args.join(' ')} (${provider}) failed with exit code ${result.status}`);
  }
  return result;
}

function syncSchemas() {
  mkdirSync(dirname(postgresSchema), { recursive: true });
  const wanted = derivePostgresSchema(readFileSync(canonicalSchema, 'utf8'));
  if (!existsSync(postgresSchema) || readFileSync(postgresSchema, 'utf8') !== wanted)
    writeFileSync(postgresSchema, wanted);
}

function generate() {
  syncSchemas();
  for (const provider of Object.keys(PROVIDERS)) prisma(['generate'], { provider, url: 'file:/nonexistent' });
}

/**
 * Writes, per provider, the SQL that takes the database the committed migrations build to the schema.
 * Prisma's own `--from-migrations` replays history in a shadow database, which does not work through
 * driver adapters in 6.19 (SQLite sends each migration as one prepared statement, PostgreSQL's shadow
 * pool cannot read its catalogs), so the same happens in three steps: `migrate deploy` the committed
 * migrations into a scratch database, introspect it (`db pull --print`), diff that to the schema.
 */
async function newMigration(name) {
  if (!/^[a-z0-9_]+$/.test(name ?? ''))
    throw new Error('usage: node scripts/db.mjs new-migration NAME (a-z, 0-9, _)');
  syncSchemas();
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  for (const provider of Object.keys(PROVIDERS)) {
    const dir = join(prismaDir, 'migrations', provider);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'migration_lock.toml'),
      `# Written by scripts/db.mjs; do not edit.\nprovider = "${provider}"\n`,
    );
    const sql = await pendingMigrationSql(provider);
    if (sql === null) {
      console.error(`${provider}: the schema has no changes; no migration written`);
      continue;
    }
    const target = join(dir, `${stamp}_${name}`);
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'migration.sql'), sql);
    console.error(`wrote prisma/migrations/${provider}/${stamp}_${name}/migration.sql`);
  }
}

/**
 * The SQL a new migration needs so that the committed migrations produce `schema`, or null when they
 * already do.
 */
export async function pendingMigrationSql(provider, schema = PROVIDERS[provider].schema) {
  const scratchDir = mkdtempSync(join(tmpdir(), 'stevedore-migrate-'));
  try {
    const { status, stdout } = await withScratchDatabase(provider, (url) => {
      prisma(['migrate', 'deploy'], { provider, url, capture: true });
      const migrated = join(scratchDir, 'migrated.prisma');
      writeFileSync(migrated, introspect(provider, url));
      return prisma(
        [
          'migrate',
          'diff',
          '--from-schema-datamodel',
          migrated,
          '--to-schema-datamodel',
          schema,
          '--script',
          '--exit-code',
        ],
        { provider, url, allowExit: [0, 2], capture: true },
      );
    });
    return status === 2 ? stdout : null;
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

/** The datamodel of the database at `url`, as `db pull --print` introspects it. */
function introspect(provider, url) {
  const { stdout } = prisma(['db', 'pull', '--print'], { provider, url, capture: true });
  // The CLI prints a warning about the datasource url before the datamodel on the same stream.
  const start = stdout.search(/^(?:generator|datasource|model|enum)\b|^\/\//m);
  if (start < 0) throw new Error(`db pull printed no datamodel:\n${stdout}`);
  return stdout.slice(start);
}

async function withScratchDatabase(provider, fn) {
  const scratch = await scratchDatabase(provider);
  try {
    return await fn(scratch.url, scratch);
  } finally {
    await scratch.stop();
  }
}

async function scratchDatabase(provider) {
  if (provider === 'postgresql') return startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-sqlite-'));
  return {
    url: `file:${join(dir, 'scratch.db')}`,
    stop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function deploy() {
  const url = process.env.DATABASE_URL ?? defaultDatabaseUrl();
  if (url.startsWith('file:')) mkdirSync(dirname(url.slice('file:'.length)), { recursive: true });
  prisma(['migrate', 'deploy'], { provider: providerOf(url), url });
}

/**
 * Proves the committed migrations build exactly the database the schema describes: one scratch
 * database migrated with `migrate deploy`, another built straight from the schema's SQL, and their
 * catalogs compared. Returns 0 when they match, 2 (and prints both) when they differ.
 */
export async function checkMigrations(provider, schema = PROVIDERS[provider].schema) {
  const migrated = await withScratchDatabase(provider, (url) => {
    prisma(['migrate', 'deploy'], { provider, url, capture: true });
    return describeDatabase(provider, url);
  });
  const expected = await withScratchDatabase(provider, (url) => {
    const { stdout } = prisma(
      ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', schema, '--script'],
      {
        provider,
        url,
        capture: true,
      },
    );
    executeSql(provider, url, stdout);
    return describeDatabase(provider, url);
  });
  if (migrated === expected) return { status: 0, migrated, expected };
  return { status: 2, migrated, expected };
}

function executeSql(provider, url, sql) {
  if (provider === 'sqlite') {
    const db = new Database(url.slice('file:'.length));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-f', '-'], {
    input: sql,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
}

/**
 * The database's schema as sorted, order-independent lines (columns with type, nullability and
 * default; indexes; constraints), leaving out Prisma's own bookkeeping table. Column order differs
 * legitimately between a migrated table (ALTER TABLE appends) and a freshly created one.
 */
function describeDatabase(provider, url) {
  const lines = provider === 'sqlite' ? describeSqlite(url) : describePostgres(url);
  return lines.sort().join('\n');
}

function describeSqlite(url) {
  const db = new Database(url.slice('file:'.length), { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_prisma_migrations' AND name NOT LIKE 'sqlite_%'",
      )
      .all()
      .map((row) => row.name);
    const lines = [];
    for (const table of tables) {
      for (const c of db.prepare(`PRAGMA table_info("${table}")`).all()) {
        lines.push(
          `column ${table}.${c.name} ${c.type} ${c.notnull ? 'not null' : 'null'} default=${c.dflt_value} pk=${c.pk}`,
        );
      }
      for (const index of db.prepare(`PRAGMA index_list("${table}")`).all()) {
        const columns = db
          .prepare(`PRAGMA index_info("${index.name}")`)
          .all()
          .map((c) => c.name);
        lines.push(`index ${table}.${index.name} unique=${index.unique} (${columns.join(',')})`);
      }
      for (const fk of db.prepare(`PRAGMA foreign_key_list("${table}")`).all()) {
        lines.push(
          `foreign key ${table}.${fk.from} -> ${fk.table}.${fk.to} on delete ${fk.on_delete} on update ${fk.on_update}`,
        );
      }
    }
    return lines;
  } finally {
    db.close();
  }
}

function describePostgres(url) {
  const query = (sql) => {
    const result = spawnSync('psql', [url, '-At', '-F', ' | ', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return result.stdout.split('\n').filter(Boolean);
  };
  const notPrisma = "table_name <> '_prisma_migrations'";
  return [
    ...query(
      `SELECT 'column', table_name, column_name, data_type, is_nullable, coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' AND ${notPrisma}`,
    ),
    ...query(
      `SELECT 'index', tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
    ),
    ...query(
      "SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'",
    ),
  ];
}

async function check() {
  syncSchemas();
  let status = 0;
  for (const provider of Object.keys(PROVIDERS)) {
    const result = await checkMigrations(provider);
    if (result.status !== 0) {
      console.error(
        `${provider}: the migrated database differs from the schema; run node scripts/db.mjs new-migration NAME`,
      );
      console.error(`--- migrated\n${result.migrated}\n--- expected from schema\n${result.expected}`);
      status = 2;
    } else console.error(`${provider}: migrations match the schema`);
  }
  return status;
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const [command, arg] = process.argv.slice(2);
  const commands = {
    'sync-schemas': syncSchemas,
    generate,
    'new-migration': () => newMigration(arg),
    deploy,
    check,
  };
  try {
    if (!(command in commands))
      throw new Error(`usage: node scripts/db.mjs ${Object.keys(commands).join('|')}`);
    process.exitCode = (await commands[command]()) ?? 0;
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
