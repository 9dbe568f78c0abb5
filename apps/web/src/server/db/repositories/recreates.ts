import type { Db } from '../client';

/** Recreates under way, each with its plan (JSON) and a heartbeat its web server renews. */

export interface RecreateOwner {
  hostId: string;
  userId: string | null;
  username: string;
}

export const saveRecreatePlan = (db: Db, id: string, owner: RecreateOwner, plan: unknown) =>
  db.containerRecreate.upsert({
    where: { id },
    create: { id, ...owner, plan: JSON.stringify(plan), heartbeatAt: new Date() },
    update: { plan: JSON.stringify(plan), heartbeatAt: new Date() },
  });

export const renewRecreate = (db: Db, id: string) =>
  db.containerRecreate.updateMany({ where: { id }, data: { heartbeatAt: new Date() } });

export const deleteRecreate = (db: Db, id: string) => db.containerRecreate.deleteMany({ where: { id } });

/** Recreates whose web server stopped renewing them before `before`: it is gone. */
export const abandonedRecreates = (db: Db, before: Date, hostId?: string) =>
  db.containerRecreate.findMany({
    where: { heartbeatAt: { lt: before }, ...(hostId ? { hostId } : {}) },
    orderBy: { createdAt: 'asc' },
  });

/**
 * Claims an abandoned recreate for this process: true for exactly one of several processes that
 * try at once (the heartbeat moves forward only where it is still old).
 */
export async function claimRecreate(db: Db, id: string, before: Date): Promise<boolean> {
  const claimed = await db.containerRecreate.updateMany({
    where: { id, heartbeatAt: { lt: before } },
    data: { heartbeatAt: new Date() },
  });
  return claimed.count === 1;
}
