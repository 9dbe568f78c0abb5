import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { hashPassword } from '../../src/server/auth/password';
import { hashSessionToken, newSessionToken } from '../../src/server/auth/session-token';
import { createSession } from '../../src/server/db/repositories/sessions';
import { createUser } from '../../src/server/db/repositories/users';
import { createWebServer } from '../../src/server/http/server';
import { httpRequest, startTestWebServer, type TestWebServer } from '../harness/web-server';

const codeOf = (body: string) => {
  const parsed = JSON.parse(body) as { error?: { data?: { code?: string } } };
  return parsed.error ? parsed.error.data?.code : 'OK';
};
const cookieOf = (headers: { 'set-cookie'?: string[] }) => headers['set-cookie']?.[0] ?? '';
const tokenOf = (cookie: string) => /stevedore_session=([^;]+)/.exec(cookie)?.[1] ?? '';

describe('first-admin set-up code', () => {
  let web: TestWebServer;
  before(async () => {
    web = await startTestWebServer();
  });
  after(async () => {
    await web?.close();
  });

  const setup = (input: Record<string, string>) =>
    httpRequest(web.port, { method: 'POST', path: '/api/trpc/auth.setup', body: JSON.stringify(input) });
  const admin = { username: 'root-admin', password: 'root admin password' };

  test('the code is written to a 0600 file; without it, or with a wrong one, no admin is created', async () => {
    const path = await web.plane.services.auth.prepareSetup();
    assert.ok(path);
    assert.equal((statSync(path).mode & 0o777).toString(8), '600');
    assert.match(readFileSync(path, 'utf8').trim(), /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);

    assert.equal(codeOf((await setup(admin)).body), 'BAD_REQUEST');
    const wrong = await setup({ ...admin, setupCode: 'AAAA-AAAA-AAAA-AAAA' });
    assert.equal(codeOf(wrong.body), 'FORBIDDEN');
    assert.match(wrong.body, /wrong set-up code/);
    assert.equal(await web.t.db.user.count(), 0);
    assert.equal(cookieOf(wrong.headers), '');
  });

  test('the right code (typed in lower case, without dashes) creates the admin once and is used up', async () => {
    const path = `${web.plane.dataDir}/setup-code`;
    const code = readFileSync(path, 'utf8').trim();
    const ok = await setup({ ...admin, setupCode: code.replaceAll('-', '').toLowerCase() });
    assert.equal(codeOf(ok.body), 'OK');
    assert.match(cookieOf(ok.headers), /stevedore_session=/);
    assert.equal(await web.t.db.user.count(), 1);
    assert.equal(existsSync(path), false, 'the code file is removed');
    const again = await setup({ username: 'second-admin', password: 'second admin pw', setupCode: code });
    assert.equal(codeOf(again.body), 'PRECONDITION_FAILED');
    assert.equal(await web.t.db.user.count(), 1);
    assert.equal(await web.plane.services.auth.prepareSetup(), null, 'no new code once an admin exists');
  });
});

describe('sessions and passwords', () => {
  let web: TestWebServer;
  let proxied: Server;
  let proxiedPort: number;
  const password = 'viewer password 1';

  before(async () => {
    web = await startTestWebServer();
    await createUser(web.t.db, {
      username: 'vic',
      passwordHash: await hashPassword(password),
      role: 'viewer',
    });
    // The same services behind a second server that trusts X-Forwarded-Proto (as behind a proxy).
    proxied = createWebServer({
      services: web.plane.services,
      pages: { handle: async (_req, res) => void res.end() },
      secureCookies: false,
      trustProxy: true,
      log: pino({ level: 'silent' }),
    });
    await new Promise<void>((resolve) => proxied.listen(0, '127.0.0.1', resolve));
    proxiedPort = (proxied.address() as { port: number }).port;
  });
  after(async () => {
    proxied?.closeAllConnections();
    await new Promise((resolve) => proxied?.close(resolve));
    await web?.close();
  });

  const login = (port: number, headers: Record<string, string> = {}, username = 'vic', pw = password) =>
    httpRequest(port, {
      method: 'POST',
      path: '/api/trpc/auth.login',
      body: JSON.stringify({ username, password: pw }),
      headers,
    });
  const status = (token: string) =>
    httpRequest(web.port, {
      path: '/api/trpc/auth.status',
      headers: { cookie: `stevedore_session=${token}` },
    });

  test('cookies are Secure when a trusted proxy says https, and only then', async () => {
    const plain = cookieOf((await login(web.port)).headers);
    assert.match(plain, /HttpOnly; SameSite=Strict/);
    assert.doesNotMatch(plain, /Secure/);
    const claimed = cookieOf((await login(web.port, { 'x-forwarded-proto': 'https' })).headers);
    assert.doesNotMatch(claimed, /Secure/, 'X-Forwarded-Proto is ignored unless the proxy is trusted');
    const behindProxy = cookieOf((await login(proxiedPort, { 'x-forwarded-proto': 'https' })).headers);
    assert.match(behindProxy, /; Secure$/);
    const httpBehindProxy = cookieOf((await login(proxiedPort, { 'x-forwarded-proto': 'http' })).headers);
    assert.doesNotMatch(httpBehindProxy, /Secure/);
  });

  test('a session is touched at most once a minute, not on every request', async () => {
    const token = tokenOf(cookieOf((await login(web.port)).headers));
    const id = hashSessionToken(token);
    const first = (await web.t.db.session.findUniqueOrThrow({ where: { id } })).lastSeenAt;
    for (let i = 0; i < 5; i++) assert.match((await status(token)).body, /"username":"vic"/);
    assert.deepEqual((await web.t.db.session.findUniqueOrThrow({ where: { id } })).lastSeenAt, first);

    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await web.t.db.session.update({ where: { id }, data: { lastSeenAt: twoMinutesAgo } });
    await status(token);
    const touched = (await web.t.db.session.findUniqueOrThrow({ where: { id } })).lastSeenAt;
    assert.ok(touched.getTime() > twoMinutesAgo.getTime() + 60_000, 'touched once it was a minute old');
  });

  test('an expired session is refused and deleted when it is used', async () => {
    const token = tokenOf(cookieOf((await login(web.port)).headers));
    const id = hashSessionToken(token);
    await web.t.db.session.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    assert.match((await status(token)).body, /"user":null/);
    assert.equal(await web.t.db.session.count({ where: { id } }), 0);
  });

  test('expired sessions are swept without being used', async () => {
    const user = await web.t.db.user.findUniqueOrThrow({ where: { username: 'vic' } });
    const make = (expiresAt: Date) =>
      createSession(web.t.db, {
        userId: user.id,
        tokenHash: hashSessionToken(newSessionToken()),
        expiresAt,
        userAgent: null,
        ip: null,
      });
    for (let i = 0; i < 3; i++) await make(new Date(Date.now() - 1000 * (i + 1)));
    const live = await make(new Date(Date.now() + 60_000));
    const swept = await web.plane.services.auth.startSessionSweeper();
    assert.ok(swept >= 3, `swept ${swept}`);
    assert.equal(await web.t.db.session.count({ where: { expiresAt: { lte: new Date() } } }), 0);
    assert.equal(await web.t.db.session.count({ where: { id: live.id } }), 1);
  });

  test('a password hashed with older parameters is rehashed at the next successful login', async () => {
    const old = await hashPassword('legacy password 1', { N: 2 ** 14, r: 8, p: 1 });
    await createUser(web.t.db, { username: 'legacy', passwordHash: old, role: 'viewer' });
    const wrong = await login(web.port, {}, 'legacy', 'not the password');
    assert.equal(codeOf(wrong.body), 'UNAUTHORIZED');
    assert.equal(
      (await web.t.db.user.findUniqueOrThrow({ where: { username: 'legacy' } })).passwordHash,
      old,
    );
    assert.equal(codeOf((await login(web.port, {}, 'legacy', 'legacy password 1')).body), 'OK');
    const stored = (await web.t.db.user.findUniqueOrThrow({ where: { username: 'legacy' } })).passwordHash;
    assert.match(stored, /^scrypt\$131072\$8\$1\$/);
    assert.equal(codeOf((await login(web.port, {}, 'legacy', 'legacy password 1')).body), 'OK');
  });
});
