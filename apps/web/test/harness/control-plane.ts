import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SessionUser } from '@stevedore/shared';
import pino from 'pino';
import { createCaller } from '../../src/server/api/root';
import type { Context } from '../../src/server/api/trpc';
import { SecretBox } from '../../src/server/crypto/secret-box';
import type { Db } from '../../src/server/db/client';
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
  const { hub, services } = plane;
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
  return { hub, services, secrets, secretKey, dataDir, callerAs, close };
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
