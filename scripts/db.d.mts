export const PROVIDERS: Record<'sqlite' | 'postgresql', { config: string; schema: string }>;
export function derivePostgresSchema(canonical: string): string;
export function checkMigrations(
  provider: 'sqlite' | 'postgresql',
  schema?: string,
): Promise<{ status: 0 | 2; migrated: string; expected: string }>;
export function pendingMigrationSql(
  provider: 'sqlite' | 'postgresql',
  schema?: string,
): Promise<string | null>;
