import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { derivePostgresSchema } from '../../../../../scripts/db.mjs';

const repoRoot = resolve(import.meta.dirname, '../../../../..');

test('the PostgreSQL schema twin is up to date with prisma/schema.prisma', () => {
  const canonical = readFileSync(join(repoRoot, 'prisma/schema.prisma'), 'utf8');
  const twin = readFileSync(join(repoRoot, 'prisma/postgresql/schema.prisma'), 'utf8');
  assert.equal(twin, derivePostgresSchema(canonical), 'run: node scripts/db.mjs sync-schemas');
});

test('the twin differs from the canonical schema only in provider, client output and its header', () => {
  const canonical = readFileSync(join(repoRoot, 'prisma/schema.prisma'), 'utf8');
  const twin = derivePostgresSchema(canonical);
  assert.match(twin, /^\/\/ GENERATED from prisma\/schema\.prisma/);
  assert.match(twin, /provider = "postgresql"/);
  assert.match(twin, /generated\/prisma-postgresql"/);
  const models = (schema: string) => schema.slice(schema.indexOf('\nmodel '));
  assert.equal(models(twin), models(canonical));
});
