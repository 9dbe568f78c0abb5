import type { Role } from '@stevedore/shared';
import type { Db } from '../client';
import { mapDbErrors } from '../errors';

export const countUsers = (db: Db) => db.user.count();

export const createUser = (db: Db, input: { username: string; passwordHash: string; role: Role }) =>
  mapDbErrors('user', input.username, () => db.user.create({ data: input }));

export const findUserByUsername = (db: Db, username: string) => db.user.findUnique({ where: { username } });

export const setPasswordHash = (db: Db, id: string, passwordHash: string) =>
  mapDbErrors('user', id, () => db.user.update({ where: { id }, data: { passwordHash } }));

export const deleteUser = (db: Db, id: string) =>
  mapDbErrors('user', id, () => db.user.delete({ where: { id } }));

/** The hosts granted to each user, by user id. */
export async function grantsByUser(db: Db): Promise<Map<string, string[]>> {
  const grants = new Map<string, string[]>();
  for (const { userId, hostId } of await db.hostGrant.findMany({ orderBy: { hostId: 'asc' } })) {
    grants.set(userId, [...(grants.get(userId) ?? []), hostId]);
  }
  return grants;
}

/** Replaces a user's host grants with exactly `hostIds`. */
export const setUserHosts = (db: Db, userId: string, hostIds: string[]) =>
  mapDbErrors('user', userId, () =>
    db.$transaction([
      db.hostGrant.deleteMany({ where: { userId } }),
      db.hostGrant.createMany({ data: [...new Set(hostIds)].map((hostId) => ({ userId, hostId })) }),
    ]),
  );

export const hasHostGrant = async (db: Db, userId: string, hostId: string) =>
  (await db.hostGrant.count({ where: { userId, hostId } })) > 0;
