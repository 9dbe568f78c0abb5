import type { SessionUser } from '@stevedore/shared';
import type { Db } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { dashboardActions } from './dashboard-actions';

export interface AuditTarget {
  action: string;
  hostId?: string | null;
  target?: string | null;
  /** What the action was asked to do; never secrets (tokens, passwords, keys). */
  params?: Record<string, unknown>;
}

/** Runs a mutating action and records who did what, and whether it worked, in the audit log. */
export async function audited<T>(
  db: Db,
  actor: SessionUser | null,
  what: AuditTarget,
  action: () => Promise<T>,
): Promise<T> {
  const entry = {
    userId: actor?.id ?? null,
    username: actor?.username ?? 'system',
    action: what.action,
    hostId: what.hostId ?? null,
    target: what.target ?? null,
    params: what.params ?? {},
  };
  // The engine events this action causes are recorded by this entry, not again as the host's own.
  const release = dashboardActions.claim(what);
  try {
    const result = await action();
    await appendAudit(db, { ...entry, result: 'ok' });
    return result;
  } catch (error) {
    await appendAudit(db, {
      ...entry,
      result: 'error',
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    release();
  }
}
