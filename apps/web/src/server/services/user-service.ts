import type {
  CreateUserInput,
  SessionUser,
  SetUserHostsInput,
  SetUserRoleInput,
  UserSummary,
} from '@stevedore/shared';
import { RoleSchema, StevedoreError } from '@stevedore/shared';
import { hashPassword } from '../auth/password';
import type { Db } from '../db/client';
import { createUser, deleteUser, grantsByUser, hasHostGrant, setUserHosts } from '../db/repositories/users';
import { audited } from './audited';

type UserRow = { id: string; username: string; role: string; createdAt: Date };

const summarize = (user: UserRow, hostIds: string[] = []): UserSummary => ({
  id: user.id,
  username: user.username,
  role: RoleSchema.parse(user.role),
  createdAt: user.createdAt.toISOString(),
  hostIds,
});

export class UserService {
  constructor(private readonly db: Db) {}

  async list(): Promise<UserSummary[]> {
    const [users, grants] = await Promise.all([
      this.db.user.findMany({ orderBy: { username: 'asc' } }),
      grantsByUser(this.db),
    ]);
    return users.map((user) => summarize(user, grants.get(user.id)));
  }

  /** Admins operate every host; operators the hosts granted to them; viewers none. */
  async canOperate(user: SessionUser, hostId: string): Promise<boolean> {
    if (user.role === 'admin') return true;
    return user.role === 'operator' && (await hasHostGrant(this.db, user.id, hostId));
  }

  /** Grants exactly these hosts to a user (what an operator may operate). */
  async setHosts(actor: SessionUser, input: SetUserHostsInput): Promise<UserSummary> {
    const user = await this.require(input.userId);
    const hosts = await this.db.host.findMany({
      where: { id: { in: input.hostIds } },
      select: { id: true, name: true },
    });
    return audited(
      this.db,
      actor,
      { action: 'user.set-hosts', target: user.username, params: { hosts: hosts.map((h) => h.name) } },
      async () => {
        const unknown = input.hostIds.filter((id) => !hosts.some((host) => host.id === id));
        if (unknown.length > 0) {
          throw new StevedoreError('NOT_FOUND', `no such host: ${unknown.join(', ')}`, { hostIds: unknown });
        }
        await setUserHosts(this.db, user.id, input.hostIds);
        return summarize(user, [...new Set(input.hostIds)].sort());
      },
    );
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
        const updated = await this.db.user.update({ where: { id: user.id }, data: { role: input.role } });
        return summarize(updated, (await grantsByUser(this.db)).get(user.id));
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
