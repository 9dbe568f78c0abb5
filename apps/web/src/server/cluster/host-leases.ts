import type { HostStatus } from '@stevedore/shared';
import type { Pool } from 'pg';

/**
 * The lease rows (HostLease, ClusterProcess) in PostgreSQL. Every decision is one statement the
 * database makes atomic: a lease is taken only while expired (row locks, SKIP LOCKED so two
 * processes never wait on each other), renewed only by its holder, and every time is the database's
 * `now()`, so the processes' clocks do not matter.
 */
export class HostLeases {
  constructor(
    private readonly pool: Pool,
    private readonly processId: string,
    private readonly ttlMs: number,
  ) {}

  /** Marks this process alive (forgetting processes silent for a minute); returns the live count. */
  async heartbeat(): Promise<number> {
    // One statement: the upsert's row is not visible to the count, so this process is added to it.
    const { rows } = await this.pool.query<{ live: number }>(
      `WITH seen AS (
         INSERT INTO "ClusterProcess" ("id", "seenAt") VALUES ($1, now())
         ON CONFLICT ("id") DO UPDATE SET "seenAt" = now() RETURNING "id"
       ), forgotten AS (
         DELETE FROM "ClusterProcess" WHERE "seenAt" < now() - interval '1 minute' AND "id" <> $1
       )
       SELECT (count(*) + 1)::int AS live FROM "ClusterProcess"
       WHERE "id" <> $1 AND "seenAt" > now() - $2 * interval '1 millisecond'`,
      [this.processId, this.ttlMs],
    );
    return rows[0]?.live ?? 1;
  }

  /** Every host's id and last change (to notice hosts added, edited or removed elsewhere). */
  async hosts(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ id: string; changed: string }>(
      `SELECT "id", (extract(epoch FROM "updatedAt") * 1000)::bigint::text AS changed FROM "Host"`,
    );
    return new Map(rows.map((row) => [row.id, Number(row.changed)]));
  }

  /** One lease row per host: new hosts get a free one, removed hosts lose theirs. */
  async ensureRows(): Promise<void> {
    await this.pool.query(
      `WITH added AS (
         INSERT INTO "HostLease" ("hostId", "holder", "expiresAt")
         SELECT "id", '', 'epoch'::timestamp FROM "Host" ON CONFLICT ("hostId") DO NOTHING
       )
       DELETE FROM "HostLease" l WHERE NOT EXISTS (SELECT 1 FROM "Host" h WHERE h."id" = l."hostId")`,
    );
  }

  /** Extends this process's leases; returns the hosts it still holds (a lost one is not among them). */
  async renew(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ hostId: string }>(
      `UPDATE "HostLease" SET "expiresAt" = now() + $2 * interval '1 millisecond'
       WHERE "holder" = $1 RETURNING "hostId"`,
      [this.processId, this.ttlMs],
    );
    return new Set(rows.map((row) => row.hostId));
  }

  /** Takes up to `limit` hosts whose lease is free or expired; returns the ones taken. */
  async take(limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const { rows } = await this.pool.query<{ hostId: string }>(
      `UPDATE "HostLease" SET "holder" = $1, "expiresAt" = now() + $2 * interval '1 millisecond',
              "state" = 'connecting', "lastError" = NULL
       WHERE "hostId" IN (
         SELECT "hostId" FROM "HostLease" WHERE "expiresAt" < now()
         ORDER BY "hostId" LIMIT $3 FOR UPDATE SKIP LOCKED
       ) AND "expiresAt" < now()
       RETURNING "hostId"`,
      [this.processId, this.ttlMs, limit],
    );
    return rows.map((row) => row.hostId);
  }

  /** Gives hosts up at once (surplus, or all of them at a clean shutdown). */
  async release(hostIds: readonly string[] | 'all'): Promise<void> {
    if (hostIds !== 'all' && hostIds.length === 0) return;
    await this.pool.query(
      `UPDATE "HostLease" SET "holder" = '', "expiresAt" = 'epoch'::timestamp
       WHERE "holder" = $1 ${hostIds === 'all' ? '' : 'AND "hostId" = ANY($2)'}`,
      hostIds === 'all' ? [this.processId] : [this.processId, hostIds],
    );
  }

  /** This process is leaving: its leases are free and it no longer counts for the fair share. */
  async leave(): Promise<void> {
    await this.release('all');
    await this.pool.query(`DELETE FROM "ClusterProcess" WHERE "id" = $1`, [this.processId]);
  }

  /** Records the followed hosts' latest states in their lease rows, for processes that start later. */
  async recordStatuses(statuses: readonly HostStatus[]): Promise<void> {
    if (statuses.length === 0) return;
    await this.pool.query(
      `UPDATE "HostLease" l SET "state" = v.state, "lastError" = v.error, "lastSeen" = v.seen::timestamptz
       FROM (SELECT unnest($2::text[]) AS id, unnest($3::text[]) AS state, unnest($4::text[]) AS error,
                    unnest($5::text[]) AS seen) v
       WHERE l."hostId" = v.id AND l."holder" = $1`,
      [
        this.processId,
        statuses.map((status) => status.hostId),
        statuses.map((status) => status.state),
        statuses.map((status) => status.lastError),
        statuses.map((status) => status.lastSeen),
      ],
    );
  }

  /** The states the other processes recorded for the hosts they hold. */
  async othersStatuses(): Promise<HostStatus[]> {
    const { rows } = await this.pool.query<{
      hostId: string;
      state: HostStatus['state'];
      lastError: string | null;
      lastSeen: string | null;
    }>(
      `SELECT "hostId", "state", "lastError",
              to_char("lastSeen", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastSeen"
       FROM "HostLease" WHERE "holder" <> $1 AND "holder" <> '' AND "expiresAt" > now()`,
      [this.processId],
    );
    return rows.map((row) => ({ ...row }));
  }
}
