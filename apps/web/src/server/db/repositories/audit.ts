import type { Db } from '../client';

export interface AuditEntry {
  userId: string | null;
  username: string;
  action: string;
  hostId?: string | null;
  target?: string | null;
  /** Parameters of the action; callers leave secrets out. */
  params: Record<string, unknown>;
  result: 'ok' | 'error';
  error?: string | null;
}

export const appendAudit = (db: Db, { params, ...entry }: AuditEntry) =>
  db.auditLog.create({ data: { ...entry, params: JSON.stringify(params) } });

/** Newest first; pass the last id of a page as `cursor` for the next one. */
export const listAudit = (db: Db, { limit = 50, cursor }: { limit?: number; cursor?: string } = {}) =>
  db.auditLog.findMany({
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
