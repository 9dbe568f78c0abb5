import { EventEmitter } from 'node:events';
import type { AlertDetails } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import {
  findFiring,
  firingAlerts,
  insertAlert,
  recordOccurrence,
  resolveAlert,
} from '../../db/repositories/alerts';
import { type AlertSink, type FireRequest, type FiringAlert, firingKeyOf } from './types';

interface Entry extends FiringAlert {
  /** The row's ID once written (null until the insert finished). */
  id: string | null;
  details: AlertDetails;
}

export type AlertTransition = { alertId: string; event: 'fired' | 'resolved' };

/**
 * The alerts that fire, in memory for the evaluators and in the database for everyone else: one
 * per rule and target (a second `fire` is an occurrence of the first, also in the database through
 * the unique `firingKey`), resolved once. Writes run one at a time in the order decided, so a
 * resolve never overtakes the insert of the alert it resolves.
 */
export class AlertStore implements AlertSink {
  private readonly entries = new Map<string, Entry>();
  private writes: Promise<void> = Promise.resolve();
  private readonly changes = new EventEmitter();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly onTransition: (transition: AlertTransition) => void,
  ) {
    this.changes.setMaxListeners(0);
  }

  /** Reads what fired before the server (re)started. */
  async load(): Promise<void> {
    this.adopt(await firingAlerts(this.db));
  }

  /**
   * Brings the memory in line with the database, after everything decided here so far is written:
   * alerts another process fired are added, and those it resolved are dropped (with several
   * processes, a host's alerts move with the host to the process that follows it).
   */
  refresh(): Promise<void> {
    return this.write(async () => {
      const rows = await firingAlerts(this.db);
      const stored = new Set(rows.map((row) => row.id));
      for (const [key, entry] of this.entries)
        if (entry.id && !stored.has(entry.id)) this.entries.delete(key);
      this.adopt(rows);
    }, 'reading the firing alerts');
  }

  private adopt(rows: Awaited<ReturnType<typeof firingAlerts>>): void {
    for (const row of rows) {
      const key = firingKeyOf(row.ruleId, row.targetKey);
      if (this.entries.has(key)) continue;
      this.entries.set(key, {
        id: row.id,
        ruleId: row.ruleId,
        kind: row.kind as FiringAlert['kind'],
        targetKey: row.targetKey,
        target: {
          hostId: row.hostId,
          hostName: row.hostName,
          containerId: row.containerId,
          containerName: row.containerName,
        },
        firedAt: row.firedAt,
        lastSeenAt: row.lastSeenAt,
        details: JSON.parse(row.details) as AlertDetails,
      });
    }
  }

  fire({ rule, target, at, summary, details }: FireRequest): void {
    const targetKey = target.containerId ? `${target.hostId}/${target.containerId}` : target.hostId;
    const key = firingKeyOf(rule.id, targetKey);
    const existing = this.entries.get(key);
    if (existing) {
      if (at > existing.lastSeenAt) existing.lastSeenAt = at;
      existing.details = details;
      void this.write(async () => {
        if (existing.id) await recordOccurrence(this.db, existing.id, existing.lastSeenAt, summary, details);
      }, `recording another occurrence of ${key}`);
      return;
    }
    const entry: Entry = {
      id: null,
      ruleId: rule.id,
      kind: rule.condition.kind,
      targetKey,
      target,
      firedAt: at,
      lastSeenAt: at,
      details,
    };
    this.entries.set(key, entry);
    void this.write(async () => {
      try {
        const row = await insertAlert(this.db, {
          ruleId: rule.id,
          ruleName: rule.name,
          kind: rule.condition.kind,
          ...target,
          targetKey,
          firingKey: key,
          at,
          summary,
          details,
        });
        entry.id = row.id;
        this.onTransition({ alertId: row.id, event: 'fired' });
      } catch (error) {
        // Another process fired it first (the host moved here): this is an occurrence of that one.
        const stored = isUniqueViolation(error) ? await findFiring(this.db, key) : null;
        if (!stored) throw error;
        entry.id = stored.id;
        entry.firedAt = stored.firedAt;
        await recordOccurrence(this.db, stored.id, at, summary, details);
      }
    }, `storing the alert ${key}`);
  }

  resolve(ruleId: string, targetKey: string, at: Date, reason: string): void {
    const key = firingKeyOf(ruleId, targetKey);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    void this.write(async () => {
      if (!entry.id) return; // its insert failed: nothing stored to resolve
      // Resolved by another process meanwhile: that one announced it.
      if (await resolveAlert(this.db, entry.id, at, { ...entry.details, resolution: reason }))
        this.onTransition({ alertId: entry.id, event: 'resolved' });
    }, `resolving the alert ${key}`);
  }

  firing(): readonly FiringAlert[] {
    return [...this.entries.values()];
  }

  isFiring(ruleId: string, targetKey: string): boolean {
    return this.entries.has(firingKeyOf(ruleId, targetKey));
  }

  /** A deleted rule's alerts leave with it (its rows are removed by the database's cascade). */
  forgetRule(ruleId: string): void {
    for (const [key, entry] of this.entries) if (entry.ruleId === ruleId) this.entries.delete(key);
  }

  /** Resolves every alert of a rule (disabled, or its condition or scope changed). */
  resolveRule(ruleId: string, at: Date, reason: string): void {
    for (const entry of [...this.entries.values()])
      if (entry.ruleId === ruleId) this.resolve(ruleId, entry.targetKey, at, reason);
  }

  /** Resolves once everything decided so far is in the database. */
  async flush(): Promise<void> {
    await this.writes;
  }

  /** Calls `listener` after each change reached the database. */
  onChange(listener: () => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  private write(action: () => Promise<void>, what: string): Promise<void> {
    this.writes = this.writes.then(async () => {
      try {
        await action();
        this.changes.emit('change');
      } catch (error) {
        this.log.warn({ err: error }, `${what} failed`);
      }
    });
    return this.writes;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2002';
}
