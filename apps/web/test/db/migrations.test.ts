import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkMigrations, PROVIDERS, pendingMigrationSql } from '../../../../scripts/db.mjs';

/** A copy of the provider's schema with a column no migration creates; removed afterwards. */
async function withUnmigratedColumn(
  provider: keyof typeof PROVIDERS,
  fn: (schema: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-schema-'));
  try {
    const changed = readFileSync(PROVIDERS[provider].schema, 'utf8').replace(
      'model Host {',
      'model Host {\n  region String @default("eu")',
    );
    assert.match(changed, /region/, 'the schema still has a Host model to change');
    const schema = join(dir, 'schema.prisma');
    writeFileSync(schema, changed);
    await fn(schema);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const provider of ['sqlite', 'postgresql'] as const) {
  test(`${provider}: the committed migrations build exactly the database schema.prisma describes`, async () => {
    const result = await checkMigrations(provider);
    assert.match(result.migrated, /Host/, 'the catalog was read');
    assert.equal(result.migrated, result.expected);
    assert.equal(result.status, 0);
  });

  test(`${provider}: the check notices a schema change that has no migration`, async () => {
    await withUnmigratedColumn(provider, async (schema) => {
      const result = await checkMigrations(provider, schema);
      assert.equal(result.status, 2);
      assert.match(result.expected, /region/);
      assert.doesNotMatch(result.migrated, /region/);
    });
  });

  test(`${provider}: new-migration writes the SQL from the committed migrations to the schema`, async () => {
    assert.equal(await pendingMigrationSql(provider), null, 'no migration is pending');
    await withUnmigratedColumn(provider, async (schema) => {
      const sql = await pendingMigrationSql(provider, schema);
      assert.match(sql ?? '', /"region" TEXT NOT NULL DEFAULT 'eu'/);
      // Only the change: nothing the committed migrations already created.
      assert.doesNotMatch(sql ?? '', /CREATE TABLE "(User|Session|AuditLog)"/);
    });
  });
}
