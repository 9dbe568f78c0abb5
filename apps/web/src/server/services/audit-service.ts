import type { AuditEntry } from '@stevedore/shared';
import type { Db } from '../db/client';
import { listAudit } from '../db/repositories/audit';

export class AuditService {
  constructor(private readonly db: Db) {}

  /** Newest first, a page at a time; `nextCursor` is null on the last page. */
  async list(input: {
    limit: number;
    cursor?: string;
  }): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const rows = await listAudit(this.db, input);
    const entries = rows.map((row) => ({
      id: row.id,
      at: row.at.toISOString(),
      username: row.username,
      action: row.action,
      hostId: row.hostId,
      target: row.target,
      params: JSON.parse(row.params) as Record<string, unknown>,
      result: row.result === 'ok' ? ('ok' as const) : ('error' as const),
      error: row.error,
    }));
    return { entries, nextCursor: rows.length === input.limit ? (rows.at(-1)?.id ?? null) : null };
  }
}
