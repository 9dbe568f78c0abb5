import { randomBytes } from 'node:crypto';
import type { SessionUser } from '@stevedore/shared';
import pino from 'pino';
import { createCaller } from '../../src/server/api/root';
import type { Context } from '../../src/server/api/trpc';
import { LoginLimiter } from '../../src/server/auth/login-limiter';
import { SecretBox } from '../../src/server/crypto/secret-box';
import type { Db } from '../../src/server/db/client';
import { AgentHub } from '../../src/server/hub/agent-hub';
import { connectAgent } from '../../src/server/hub/connect-agent';
import { AuditService } from '../../src/server/services/audit-service';
import { AuthService } from '../../src/server/services/auth-service';
import { HostService } from '../../src/server/services/host-service';
import type { Services } from '../../src/server/services/index';
import { UserService } from '../../src/server/services/user-service';

/** The real services and hub over a test database, as the server's composition root builds them. */
export function createControlPlane(db: Db) {
  const hub = new AgentHub(connectAgent, pino({ level: 'silent' }), 1_000);
  const services: Services = {
    auth: new AuthService(db, new LoginLimiter()),
    hosts: new HostService(db, hub, new SecretBox(randomBytes(32))),
    users: new UserService(db),
    audit: new AuditService(db),
  };
  /** A tRPC caller for one user (null: no session), exactly as a request would get it. */
  const callerAs = (user: SessionUser | null) => {
    const ctx: Context = {
      services,
      user,
      sessionTokenHash: user ? 'f'.repeat(64) : null,
      clientIp: '127.0.0.1',
      userAgent: 'test',
      secureCookies: false,
      setCookie: () => {},
    };
    return createCaller(ctx);
  };
  return { hub, services, callerAs, close: () => hub.close() };
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
