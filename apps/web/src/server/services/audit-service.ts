import {
  type AuditEntry,
  ENGINE_ACTOR,
  type ListAuditInput,
  ListAuditInput as ListSchema,
} from '@stevedore/shared';
import type { Db } from '../db/client';
import { actorNames, hostNames, listAudit } from '../db/repositories/audit';

/** Engine ids (64 hex characters) are worth naming; usernames and host names already are names. */
const ENGINE_ID = /^[0-9a-f]{64}$/;

export class AuditService {
  constructor(private readonly db: Db) {}

  /**
   * Newest first, filtered, a page at a time (cursor: the last id of the previous page; `nextCursor`
   * is null on the last page). Hosts and containers are named as they are now, or as they were last
   * seen in the stored events.
   */
  async list(input: ListAuditInput): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const { limit, cursor, ...filter } = ListSchema.parse(input);
    // One more than a page tells whether another page follows.
    const rows = await listAudit(this.db, { ...filter, limit: limit + 1, ...(cursor ? { cursor } : {}) });
    const page = rows.slice(0, limit);
    const [hosts, actors] = await Promise.all([
      hostNames(this.db, [...new Set(page.flatMap((row) => (row.hostId ? [row.hostId] : [])))]),
      actorNames(this.db, [
        ...new Set(page.flatMap((row) => (row.target && ENGINE_ID.test(row.target) ? [row.target] : []))),
      ]),
    ]);
    const entries = page.map((row): AuditEntry => {
      const params = JSON.parse(row.params) as Record<string, unknown>;
      const recordedName = typeof params.name === 'string' ? params.name : null;
      return {
        id: row.id,
        at: row.at.toISOString(),
        username: row.username,
        source: row.username === ENGINE_ACTOR && row.userId === null ? 'engine' : 'dashboard',
        action: row.action,
        hostId: row.hostId,
        hostName: row.hostId ? (hosts.get(row.hostId) ?? null) : null,
        target: row.target,
        targetName: row.target ? (actors.get(row.target) ?? recordedName) : null,
        params,
        result: row.result === 'ok' ? 'ok' : 'error',
        error: row.error,
      };
    });
    return { entries, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
  }
}
