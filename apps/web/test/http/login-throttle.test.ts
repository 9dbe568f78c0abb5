import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_LOGIN_LIMITS } from '../../src/server/auth/login-limiter';
import { hashPassword } from '../../src/server/auth/password';
import { createUser } from '../../src/server/db/repositories/users';
import { httpRequest, startTestWebServer, type TestWebServer } from '../harness/web-server';

interface TrpcOutcome {
  code: string;
}

/** The outcome code of each call in a tRPC answer: 'OK' or the error's code. */
function outcomes(body: string): TrpcOutcome[] {
  const parsed = JSON.parse(body) as unknown;
  const items = (Array.isArray(parsed) ? parsed : [parsed]) as {
    result?: unknown;
    error?: { data?: { code?: string } };
  }[];
  return items.map((item) => ({ code: item.error ? (item.error.data?.code ?? 'UNKNOWN') : 'OK' }));
}

const login = async (web: TestWebServer, username: string, password: string, localAddress?: string) => {
  const answer = await httpRequest(web.port, {
    method: 'POST',
    path: '/api/trpc/auth.login',
    body: JSON.stringify({ username, password }),
    ...(localAddress ? { localAddress } : {}),
  });
  return { ...answer, outcome: outcomes(answer.body)[0]!.code };
};

/** `size` logins in one batched tRPC request, as httpBatchLink sends them. */
const batchedLogins = async (web: TestWebServer, username: string, size: number) => {
  const input = Object.fromEntries(
    Array.from({ length: size }, (_, i) => [String(i), { username, password: `wrong guess ${i}` }]),
  );
  const answer = await httpRequest(web.port, {
    method: 'POST',
    path: `/api/trpc/${Array(size).fill('auth.login').join(',')}?batch=1`,
    body: JSON.stringify(input),
  });
  return outcomes(answer.body).map((o) => o.code);
};

// The real HTTP server, tRPC handler, services and database: guesses sent at once, alone and in
// batches, are counted before any password is checked.
describe('login throttling', () => {
  let web: TestWebServer;
  const password = 'alice password 1';

  before(async () => {
    web = await startTestWebServer();
    const passwordHash = await hashPassword(password);
    for (const username of ['alice', 'bob']) {
      await createUser(web.t.db, { username, passwordHash, role: 'viewer' });
    }
  });
  after(async () => {
    await web?.close();
  });

  test('100 parallel wrong passwords (50 alone, 50 in batches of 10) get only the allowed number checked', async () => {
    // One password check's CPU cost (scrypt, 128 MiB), to tell 10 checks from 100 by the work done.
    const before = process.cpuUsage();
    await hashPassword('calibration');
    const usage = process.cpuUsage(before);
    const oneCheckMicros = usage.user + usage.system;

    const flood = process.cpuUsage();
    const single = Array.from({ length: 50 }, (_, i) =>
      login(web, 'alice', `wrong guess ${i}`).then((a) => [a.outcome]),
    );
    const batches = Array.from({ length: 5 }, () => batchedLogins(web, 'alice', 10));
    const codes = (await Promise.all([...single, ...batches])).flat();
    assert.equal(codes.length, 100);
    const checked = codes.filter((c) => c === 'UNAUTHORIZED').length;
    const refused = codes.filter((c) => c === 'SERVICE_UNAVAILABLE').length;
    assert.equal(checked, DEFAULT_LOGIN_LIMITS.perUsername, `checked ${checked}, refused ${refused}`);
    assert.equal(refused, 100 - DEFAULT_LOGIN_LIMITS.perUsername);
    // What the server really checked: each checked guess leaves a failed-login audit entry.
    const audited = await web.t.db.auditLog.count({ where: { action: 'auth.login', result: 'error' } });
    assert.equal(audited, DEFAULT_LOGIN_LIMITS.perUsername);
    // And the server did not check the refused ones' passwords anyway: far less than 100 checks' work.
    const spent = process.cpuUsage(flood);
    const checks = (spent.user + spent.system) / oneCheckMicros;
    assert.ok(checks < 40, `the flood cost as much CPU as ${checks.toFixed(1)} password checks`);
  });

  test('the throttled username is refused even with the right password and from another address', async () => {
    const right = await login(web, 'alice', password);
    assert.equal(right.outcome, 'SERVICE_UNAVAILABLE');
    assert.match(right.body, /too many failed logins; try again in \d+ minute/);
    const elsewhere = await login(web, 'alice', password, '127.0.0.2');
    assert.equal(elsewhere.outcome, 'SERVICE_UNAVAILABLE', 'keyed by username, not only by address');
  });

  test('an address is throttled across usernames; other addresses and users are not', async () => {
    // 127.0.0.1 used 10 of its 20 attempts above; ten more guesses at unknown names use up the rest.
    const guesses = await Promise.all(
      Array.from({ length: 15 }, (_, i) => login(web, `nobody${i}`, 'wrong password')),
    );
    const checked = guesses.filter((g) => g.outcome === 'UNAUTHORIZED').length;
    assert.equal(checked, DEFAULT_LOGIN_LIMITS.perAddress - DEFAULT_LOGIN_LIMITS.perUsername);
    assert.equal((await login(web, 'bob', password)).outcome, 'SERVICE_UNAVAILABLE', 'the address is spent');
    const fromElsewhere = await login(web, 'bob', password, '127.0.0.3');
    assert.equal(fromElsewhere.outcome, 'OK');
    assert.match(String(fromElsewhere.headers['set-cookie']), /stevedore_session=/);
  });

  test('successful logins use up no allowance', async () => {
    for (let i = 0; i < DEFAULT_LOGIN_LIMITS.perUsername + 2; i++) {
      assert.equal((await login(web, 'bob', password, '127.0.0.4')).outcome, 'OK', `login ${i + 1}`);
    }
  });
});
