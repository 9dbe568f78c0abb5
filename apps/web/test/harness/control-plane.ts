import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Role, SessionUser } from '@stevedore/shared';
import pino from 'pino';
import { createCaller } from '../../src/server/api/root';
import type { Context } from '../../src/server/api/trpc';
import { SecretBox } from '../../src/server/crypto/secret-box';
import type { Db } from '../../src/server/db/client';
import { createUser } from '../../src/server/db/repositories/users';
import { connectAgent } from '../../src/server/hub/connect-agent';
import { type ControlPlaneOptions, createControlPlaneServices } from '../../src/server/services/index';

/** The real services and hub over a test database, as the server's composition root builds them. */
export function createControlPlane(db: Db, extra: Partial<ControlPlaneOptions> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'stevedore-plane-'));
  const secretKey = randomBytes(32);
  const secrets = new SecretBox(secretKey);
  const plane = createControlPlaneServices({
    db,
    secrets,
    connect: connectAgent,
    log: pino({ level: 'silent' }),
    pingIntervalMs: 1_000,
    agentPackageDir: resolve(import.meta.dirname, '../../../agent/dist/package'),
    setupCodeFile: join(dataDir, 'setup-code'),
    ...extra,
  });
  const { hub, services, cluster } = plane;
  const close = async () => {
    await plane.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  /**
   * A tRPC caller for one user (null: no session), exactly as a request would get it; `signal` ends
   * its subscriptions, as a closed browser connection does.
   */
  const callerAs = (user: SessionUser | null, signal?: AbortSignal) => {
    const ctx: Context = {
      services,
      user,
      sessionTokenHash: user ? 'f'.repeat(64) : null,
      clientIp: '127.0.0.1',
      userAgent: 'test',
      secureCookies: false,
      setCookie: () => {},
    };
    return createCaller(ctx, signal ? { signal } : {});
  };
  return { hub, services, cluster, secrets, secretKey, dataDir, callerAs, close };
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

type ControlPlane = ReturnType<typeof createControlPlane>;

/**
 * One user a role, named `${prefix}-${role}`. A map names users by what they are to the test
 * (`{ admin: 'admin', stranger: 'operator' }` makes `${prefix}-stranger`, an operator).
 */
export async function usersByRole<R extends Role>(
  db: Db,
  prefix: string,
  roles: readonly R[],
): Promise<Record<R, SessionUser>>;
export async function usersByRole<K extends string>(
  db: Db,
  prefix: string,
  roles: Record<K, Role>,
): Promise<Record<K, SessionUser>>;
export async function usersByRole(
  db: Db,
  prefix: string,
  roles: readonly Role[] | Record<string, Role>,
): Promise<Record<string, SessionUser>> {
  const entries: [string, Role][] = Array.isArray(roles)
    ? roles.map((role) => [role, role])
    : Object.entries(roles as Record<string, Role>);
  const users: Record<string, SessionUser> = {};
  for (const [name, role] of entries) {
    const row = await createUser(db, { username: `${prefix}-${name}`, passwordHash: 'x', role });
    users[name] = { id: row.id, username: row.username, role };
  }
  return users;
}

/** Registers a local agent as a host over its unix socket (as `admin`) and waits until it is online; its id. */
export async function registerAgentHost(
  plane: ControlPlane,
  admin: SessionUser,
  agent: { socketPath: string },
  name: string,
  labels?: Record<string, string>,
): Promise<string> {
  const host = await plane
    .callerAs(admin)
    .hosts.create({ name, transport: 'unix', socketPath: agent.socketPath, ...(labels ? { labels } : {}) });
  await waitFor(() => plane.hub.status(host.id).state === 'online');
  return host.id;
}
