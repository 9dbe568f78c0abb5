import type { CreateFirstAdminInput, LoginInput, SessionUser } from '@stevedore/shared';
import { RoleSchema, StevedoreError } from '@stevedore/shared';
import type { LoginLimiter } from '../auth/login-limiter';
import { hashPassword, verifyPassword } from '../auth/password';
import { hashSessionToken, newSessionToken, SESSION_TTL_MS } from '../auth/session-token';
import type { Db } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { createSession, deleteSession, findSession, touchSession } from '../db/repositories/sessions';
import { countUsers, createUser, findUserByUsername } from '../db/repositories/users';

export interface ClientMeta {
  ip: string;
  userAgent: string | null;
}

export interface IssuedSession {
  token: string;
  user: SessionUser;
}

// A fixed hash so an unknown username costs as much time as a wrong password.
const DUMMY_HASH_PROMISE = hashPassword('stevedore-dummy-password');

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly limiter: LoginLimiter,
  ) {}

  async needsSetup(): Promise<boolean> {
    return (await countUsers(this.db)) === 0;
  }

  /** First run: creates the admin account, allowed only while no user exists. */
  async setup(input: CreateFirstAdminInput, meta: ClientMeta): Promise<IssuedSession> {
    if (!(await this.needsSetup())) {
      throw new StevedoreError('FAILED_PRECONDITION', 'the admin account already exists; log in instead');
    }
    const user = await createUser(this.db, {
      username: input.username,
      passwordHash: await hashPassword(input.password),
      role: 'admin',
    });
    // Two racing set-ups could both pass the check above; the loser undoes its own account.
    if ((await countUsers(this.db)) > 1) {
      await this.db.user.delete({ where: { id: user.id } });
      throw new StevedoreError('FAILED_PRECONDITION', 'the admin account already exists; log in instead');
    }
    await appendAudit(this.db, {
      userId: user.id,
      username: user.username,
      action: 'auth.setup',
      params: {},
      result: 'ok',
    });
    return this.issue({ id: user.id, username: user.username, role: 'admin' }, meta);
  }

  async login(input: LoginInput, meta: ClientMeta): Promise<IssuedSession> {
    const limitKey = `${input.username.toLowerCase()}|${meta.ip}`;
    const waitMs = this.limiter.retryAfterMs(limitKey);
    if (waitMs > 0) {
      throw new StevedoreError(
        'UNAVAILABLE',
        `too many failed logins; try again in ${Math.ceil(waitMs / 60_000)} minute(s)`,
        { username: input.username },
      );
    }
    const user = await findUserByUsername(this.db, input.username);
    const valid = await verifyPassword(input.password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!user || !valid) {
      this.limiter.recordFailure(limitKey);
      await appendAudit(this.db, {
        userId: user?.id ?? null,
        username: input.username,
        action: 'auth.login',
        params: { ip: meta.ip },
        result: 'error',
        error: 'wrong username or password',
      });
      throw new StevedoreError('UNAUTHENTICATED', 'wrong username or password');
    }
    this.limiter.reset(limitKey);
    await appendAudit(this.db, {
      userId: user.id,
      username: user.username,
      action: 'auth.login',
      params: { ip: meta.ip },
      result: 'ok',
    });
    return this.issue({ id: user.id, username: user.username, role: RoleSchema.parse(user.role) }, meta);
  }

  async logout(user: SessionUser, tokenHash: string): Promise<void> {
    await deleteSession(this.db, tokenHash);
    await appendAudit(this.db, {
      userId: user.id,
      username: user.username,
      action: 'auth.logout',
      params: {},
      result: 'ok',
    });
  }

  /** The user behind a session token, or null when the token is unknown or expired. */
  async resolve(token: string): Promise<{ user: SessionUser; tokenHash: string } | null> {
    const tokenHash = hashSessionToken(token);
    const session = await findSession(this.db, tokenHash);
    if (!session) return null;
    await touchSession(this.db, tokenHash);
    const { user } = session;
    return {
      user: { id: user.id, username: user.username, role: user.role as SessionUser['role'] },
      tokenHash,
    };
  }

  private async issue(user: SessionUser, meta: ClientMeta): Promise<IssuedSession> {
    const token = newSessionToken();
    await createSession(this.db, {
      userId: user.id,
      tokenHash: hashSessionToken(token),
      expiresAt: new Date(Date.now() + SESSION_TTL_MS),
      userAgent: meta.userAgent,
      ip: meta.ip,
    });
    return { token, user };
  }
}
