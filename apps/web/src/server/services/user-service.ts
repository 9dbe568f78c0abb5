import type { CreateUserInput, SessionUser, SetUserRoleInput, UserSummary } from '@stevedore/shared';
import { RoleSchema, StevedoreError } from '@stevedore/shared';
import { hashPassword } from '../auth/password';
import type { Db } from '../db/client';
import { createUser, deleteUser } from '../db/repositories/users';
import { audited } from './audited';

type UserRow = { id: string; username: string; role: string; createdAt: Date };

const summarize = (user: UserRow): UserSummary => ({
  id: user.id,
  username: user.username,
  role: RoleSchema.parse(user.role),
  createdAt: user.createdAt.toISOString(),
});

export class UserService {
  constructor(private readonly db: Db) {}

  async list(): Promise<UserSummary[]> {
    return (await this.db.user.findMany({ orderBy: { username: 'asc' } })).map(summarize);
  }

  async create(actor: SessionUser, input: CreateUserInput): Promise<UserSummary> {
    return audited(
      this.db,
      actor,
      { action: 'user.create', target: input.username, params: { role: input.role } },
      async () =>
        summarize(
          await createUser(this.db, {
            username: input.username,
            role: input.role,
            passwordHash: await hashPassword(input.password),
          }),
        ),
    );
  }

  async setRole(actor: SessionUser, input: SetUserRoleInput): Promise<UserSummary> {
    const user = await this.require(input.userId);
    return audited(
      this.db,
      actor,
      { action: 'user.set-role', target: user.username, params: { role: input.role } },
      async () => {
        if (user.role === 'admin' && input.role !== 'admin') await this.refuseLastAdmin(user.username);
        return summarize(await this.db.user.update({ where: { id: user.id }, data: { role: input.role } }));
      },
    );
  }

  async remove(actor: SessionUser, userId: string): Promise<void> {
    const user = await this.require(userId);
    await audited(this.db, actor, { action: 'user.remove', target: user.username }, async () => {
      if (user.id === actor.id)
        throw new StevedoreError('FAILED_PRECONDITION', 'you cannot remove your own account');
      if (user.role === 'admin') await this.refuseLastAdmin(user.username);
      await deleteUser(this.db, user.id);
    });
  }

  private async require(userId: string) {
    const user = await this.db.user.findUnique({ where: { id: userId } });
    if (!user) throw new StevedoreError('NOT_FOUND', `user "${userId}" not found`, { userId });
    return user;
  }

  private async refuseLastAdmin(username: string): Promise<void> {
    if ((await this.db.user.count({ where: { role: 'admin' } })) <= 1) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        `${username} is the last admin; make another user admin first`,
      );
    }
  }
}
