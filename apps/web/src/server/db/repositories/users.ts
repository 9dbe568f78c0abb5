import type { Role } from '@stevedore/shared';
import type { Db } from '../client';
import { mapDbErrors } from '../errors';

export const countUsers = (db: Db) => db.user.count();

export const createUser = (db: Db, input: { username: string; passwordHash: string; role: Role }) =>
  mapDbErrors('user', input.username, () => db.user.create({ data: input }));

export const findUserByUsername = (db: Db, username: string) => db.user.findUnique({ where: { username } });

export const deleteUser = (db: Db, id: string) =>
  mapDbErrors('user', id, () => db.user.delete({ where: { id } }));
