import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appRouter } from '../../src/server/api/root';
import { hashPassword } from '../../src/server/auth/password';
import { createHost } from '../../src/server/db/repositories/hosts';
import { createUser } from '../../src/server/db/repositories/users';
import { httpRequest, startTestWebServer, type TestWebServer } from '../harness/web-server';

/** A small seeded generator, so a failure names an input that can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

/** Values of the wrong type, size or encoding for any field of any procedure's input. */
const BAD_VALUES: unknown[] = [
  null,
  -1,
  1e308,
  true,
  [],
  [[[[[]]]]],
  'x'.repeat(200_000),
  '\u0000',
  '\ud800 lone surrogate',
  '../../../../etc/passwd',
  '%ZZ%00%',
  { $gt: '' },
  { __proto__: { admin: true } },
];
const FIELDS = [
  'hostId',
  'userId',
  'jobId',
  'username',
  'password',
  'setupCode',
  'name',
  'labels',
  'transport',
  'url',
  'token',
  'socketPath',
  'sshHost',
  'sshPort',
  'privateKey',
  'fingerprint',
  'connection',
  'container',
  'action',
  'role',
  'hostIds',
  'limit',
  'cursor',
  'target',
  'installDir',
];

function badInput(next: () => number): unknown {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const kind = next();
  if (kind < 0.3) return pick(BAD_VALUES);
  const input: Record<string, unknown> = {};
  for (let i = 0; i < 1 + Math.floor(next() * 4); i++) input[pick(FIELDS)] = pick(BAD_VALUES);
  return input;
}

const snapshotOf = async (web: TestWebServer) => {
  const db = web.t.db;
  return JSON.stringify({
    users: await db.user.findMany({ orderBy: { id: 'asc' } }),
    hosts: await db.host.findMany({ orderBy: { id: 'asc' } }),
    grants: await db.hostGrant.findMany({ orderBy: [{ userId: 'asc' }, { hostId: 'asc' }] }),
    // A session's last-seen time may be touched by any request (once a minute); nothing else may change.
    sessions: (await db.session.findMany({ orderBy: { id: 'asc' } })).map(({ lastSeenAt: _, ...s }) => s),
    audit: await db.auditLog.findMany({ orderBy: { id: 'asc' } }),
    events: await db.hostEvent.count(),
  });
};

// Every procedure of the dashboard's API, over the real HTTP server, with generated invalid input,
// as an admin and as nobody: each answer is a 4xx with a message (or the procedure takes no input),
// the server keeps answering, and the database is exactly as before.
describe('every web procedure refuses invalid input cleanly', () => {
  let web: TestWebServer;
  let cookie: string;

  before(async () => {
    web = await startTestWebServer();
    const passwordHash = await hashPassword('fuzz admin password');
    await createUser(web.t.db, { username: 'fuzz-admin', passwordHash, role: 'admin' });
    await createHost(web.t.db, {
      name: 'unreachable',
      transport: 'unix',
      address: 'unix:///nonexistent.sock',
    });
    const login = await httpRequest(web.port, {
      method: 'POST',
      path: '/api/trpc/auth.login',
      body: JSON.stringify({ username: 'fuzz-admin', password: 'fuzz admin password' }),
    });
    cookie = /stevedore_session=[^;]+/.exec(String(login.headers['set-cookie']))![0];
  });
  after(async () => {
    await web?.close();
  });

  test('generated invalid inputs get 4xx answers that say what is wrong; nothing changes', async () => {
    const before = await snapshotOf(web);
    const next = random(16);
    const procedures = Object.entries(
      appRouter._def.procedures as unknown as Record<string, { _def: Record<string, unknown> }>,
    )
      // Logging out takes no input, so any input would end the session this test runs with.
      .filter(([path]) => path !== 'auth.logout');
    assert.ok(procedures.length >= 30, `${procedures.length} procedures`);
    let calls = 0;
    let refused = 0;
    for (const [path, procedure] of procedures) {
      const type = procedure._def.type as 'query' | 'mutation' | 'subscription';
      for (let round = 0; round < 12; round++) {
        const input = badInput(next);
        const headers: Record<string, string> = round % 3 === 0 ? {} : { cookie };
        const encoded = JSON.stringify(input) ?? 'null';
        const answer =
          type === 'mutation'
            ? await httpRequest(web.port, {
                method: 'POST',
                path: `/api/trpc/${path}`,
                body: encoded,
                headers,
              })
            : await httpRequest(web.port, {
                path: `/api/trpc/${path}?input=${encodeURIComponent(encoded).slice(0, 8_000)}`,
                headers: { ...headers, ...(type === 'subscription' ? { accept: 'application/json' } : {}) },
                timeoutMs: 1_000,
              });
        calls++;
        const what = `${path} (${headers.cookie ? 'admin' : 'anonymous'}) with ${encoded.slice(0, 120)}`;
        assert.ok(answer.status < 500, `${what}: ${answer.status} ${answer.body.slice(0, 300)}`);
        if (answer.status >= 400) {
          refused++;
          const message = (JSON.parse(answer.body) as { error?: { message?: string } }).error?.message ?? '';
          assert.ok(message.length > 5, `${what}: no message in ${answer.body.slice(0, 300)}`);
        }
        // Accepted ones are inputs whose unknown fields were dropped, leaving a valid (empty) input,
        // or procedures that take none; the database check below shows they changed nothing.
      }
    }
    assert.ok(calls >= 360, `${calls} calls`);
    assert.ok(refused > calls * 0.7, `${refused} of ${calls} calls refused`);
    const health = await httpRequest(web.port, { path: '/api/health' });
    assert.equal(health.status, 200);
    assert.equal(await snapshotOf(web), before, 'the database is unchanged');
  });
});
