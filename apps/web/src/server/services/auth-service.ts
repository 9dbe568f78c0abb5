import type { CreateFirstAdminInput, LoginInput, SessionUser } from '@stevedore/shared';
import { RoleSchema, StevedoreError } from '@stevedore/shared';
import type { Logger } from 'pino';
import { isAdmitted, type LoginLimiter } from '../auth/login-limiter';
import { hashPassword, needsRehash, verifyPassword } from '../auth/password';
import { hashSessionToken, newSessionToken, SESSION_TTL_MS } from '../auth/session-token';
import type { SetupCode } from '../auth/setup-code';
import type { Db } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  deleteSessionIfExpired,
  findSession,
  touchSession,
} from '../db/repositories/sessions';
import { countUsers, createUser, findUserByUsername, setPasswordHash } from '../db/repositories/users';

export interface ClientMeta {
  ip: string;
  userAgent: string | null;
}

export interface IssuedSession {
  token: string;
  user: SessionUser;
}

// A fixed hash so an unknown username costs as much time as a wrong password.
let dummyHash: Promise<string> | null = null;
const dummyHashOnce = () => {
  dummyHash ??= hashPassword('stevedore-dummy-password');
  return dummyHash;
};

/** A session's last-seen time is written at most this often, not on every request. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;
/** How often expired sessions are deleted (besides on access). */
export const SESSION_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** The limiter's username for set-up attempts: all of them share one allowance. */
const SETUP_LIMIT_KEY = '(first-admin set-up)';

export class AuthService {
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly limiter: LoginLimiter,
    private readonly setupCode: SetupCode,
    private readonly log: Logger,
  ) {}

  /**
   * At server start: while no user exists, issues the one-time set-up code (written to its file)
   * and returns the file's path; null once an admin exists.
   */
  async prepareSetup(): Promise<string | null> {
    if (!(await this.needsSetup())) {
      await this.setupCode.consume(); // a file left by an earlier start is no longer valid
      return null;
    }
    await this.setupCode.issue();
    return this.setupCode.path;
  }

  /** Deletes expired sessions now and then every `intervalMs` until close(). */
  async startSessionSweeper(intervalMs = SESSION_SWEEP_INTERVAL_MS): Promise<number> {
    const sweep = async () => (await deleteExpiredSessions(this.db)).count;
    this.sweepTimer = setInterval(() => {
      sweep().then(
        (count) => count > 0 && this.log.info({ count }, 'expired sessions deleted'),
        (error: unknown) => this.log.warn({ err: error }, 'deleting expired sessions failed'),
      );
    }, intervalMs);
    this.sweepTimer.unref();
    return sweep();
  }

  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  async needsSetup(): Promise<boolean> {
    return (await countUsers(this.db)) === 0;
  }

  /** First run: creates the admin account, allowed only while no user exists. */
  async setup(input: CreateFirstAdminInput, meta: ClientMeta): Promise<IssuedSession> {
    // Counted before anything is checked, so parallel guesses of the code cannot outrun the count.
    const attempt = this.admit(SETUP_LIMIT_KEY, meta, 'set-up attempts');
    if (!(await this.needsSetup())) {
      throw new StevedoreError('FAILED_PRECONDITION', 'the admin account already exists; log in instead');
    }
    if (!this.setupCode.matches(input.setupCode)) {
      await appendAudit(this.db, {
        userId: null,
        username: input.username,
        action: 'auth.setup',
        params: { ip: meta.ip },
        result: 'error',
        error: 'wrong set-up code',
      });
      throw new StevedoreError(
        'PERMISSION_DENIED',
        this.setupCode.issued
          ? `wrong set-up code: use the one npm start printed (also in ${this.setupCode.path}, readable by root only)`
          : 'no set-up code is outstanding: restart the dashboard to get one',
      );
    }
    this.limiter.refund(attempt);
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
    await this.setupCode.consume();
    await appendAudit(this.db, {
      userId: user.id,
      username: user.username,
      action: 'auth.setup',
      params: { ip: meta.ip },
      result: 'ok',
    });
    return this.issue({ id: user.id, username: user.username, role: 'admin' }, meta);
  }

  async login(input: LoginInput, meta: ClientMeta): Promise<IssuedSession> {
    // Counted before the password is checked: parallel requests and batches cannot multiply guesses.
    const attempt = this.admit(input.username, meta, 'failed logins');
    const user = await findUserByUsername(this.db, input.username);
    const valid = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHashOnce()));
    if (!user || !valid) {
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
    this.limiter.refund(attempt);
    if (needsRehash(user.passwordHash)) {
      await setPasswordHash(this.db, user.id, await hashPassword(input.password));
    }
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
    const now = new Date();
    const session = await findSession(this.db, tokenHash, now);
    if (!session) {
      await deleteSessionIfExpired(this.db, tokenHash, now);
      return null;
    }
    if (now.getTime() - session.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) {
      await touchSession(this.db, tokenHash, now);
    }
    const { user } = session;
    return {
      user: { id: user.id, username: user.username, role: user.role as SessionUser['role'] },
      tokenHash,
    };
  }

  private admit(username: string, meta: ClientMeta, what: string) {
    const attempt = this.limiter.admit(username, meta.ip);
    if (isAdmitted(attempt)) return attempt;
    throw new StevedoreError(
      'UNAVAILABLE',
      `too many ${what}; try again in ${Math.ceil(attempt.retryAfterMs / 60_000)} minute(s)`,
      { ip: meta.ip },
    );
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
