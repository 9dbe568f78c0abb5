import type { AuditFilter } from '@stevedore/shared';
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
  /** When it happened, if not now (an engine event recorded a moment after it occurred). */
  at?: Date;
}

export const appendAudit = (db: Db, { params, ...entry }: AuditEntry) =>
  db.auditLog.create({ data: { ...entry, params: JSON.stringify(params) } });

const whereOf = (filter: AuditFilter) => ({
  ...(filter.username ? { username: filter.username } : {}),
  ...(filter.hostId ? { hostId: filter.hostId } : {}),
  ...(filter.action
    ? { action: filter.action.endsWith('.') ? { startsWith: filter.action } : filter.action }
    : {}),
  ...(filter.result ? { result: filter.result } : {}),
  ...(filter.from || filter.to
    ? {
        at: {
          ...(filter.from ? { gte: new Date(filter.from) } : {}),
          ...(filter.to ? { lte: new Date(filter.to) } : {}),
        },
      }
    : {}),
});

/** Newest first, filtered; pass the last id of a page as `cursor` for the next one. */
export const listAudit = (
  db: Db,
  { limit = 50, cursor, ...filter }: AuditFilter & { limit?: number; cursor?: string } = {},
) =>
  db.auditLog.findMany({
    where: whereOf(filter),
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });

/** The names of hosts by id (hosts removed since are missing). */
export async function hostNames(db: Db, hostIds: string[]): Promise<Map<string, string>> {
  if (hostIds.length === 0) return new Map();
  const rows = await db.host.findMany({ where: { id: { in: hostIds } }, select: { id: true, name: true } });
  return new Map(rows.map((row) => [row.id, row.name]));
}

/**
 * The last name each engine object (container, image, network) had in the stored events, by id:
 * the audit log names containers that are gone, as long as their events are retained.
 */
export async function actorNames(db: Db, actorIds: string[]): Promise<Map<string, string>> {
  if (actorIds.length === 0) return new Map();
  const rows = await db.hostEvent.findMany({
    where: { actorId: { in: actorIds }, actorName: { not: null } },
    orderBy: [{ at: 'desc' }],
    select: { actorId: true, actorName: true },
  });
  const names = new Map<string, string>();
  for (const row of rows) if (row.actorName && !names.has(row.actorId)) names.set(row.actorId, row.actorName);
  return names;
}
