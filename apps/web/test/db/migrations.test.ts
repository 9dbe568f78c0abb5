import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { checkMigrations, derivePostgresSchema, PROVIDERS } from '../../../../scripts/db.mjs';

const repoRoot = resolve(import.meta.dirname, '../../../..');

for (const provider of ['sqlite', 'postgresql'] as const) {
  test(`${provider}: the committed migrations build exactly the database schema.prisma describes`, async () => {
    const result = await checkMigrations(provider);
    assert.ok(result.migrated.includes('"Host"') || result.migrated.includes('Host'), 'the catalog was read');
    assert.equal(result.migrated, result.expected);
    assert.equal(result.status, 0);
  });

  test(`${provider}: the check notices a schema change that has no migration`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stevedore-schema-'));
    try {
      const changed = readFileSync(PROVIDERS[provider].schema, 'utf8').replace(
        'model Host {',
        'model Host {\n  region String @default("eu")',
      );
      const schema = join(dir, 'schema.prisma');
      writeFileSync(schema, changed);
      const result = await checkMigrations(provider, schema);
      assert.equal(result.status, 2);
      assert.match(result.expected, /region/);
      assert.doesNotMatch(result.migrated, /region/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the PostgreSQL schema twin is up to date with prisma/schema.prisma', () => {
  const canonical = readFileSync(join(repoRoot, 'prisma/schema.prisma'), 'utf8');
  const twin = readFileSync(join(repoRoot, 'prisma/postgresql/schema.prisma'), 'utf8');
  assert.equal(twin, derivePostgresSchema(canonical), 'run: node scripts/db.mjs sync-schemas');
});
