import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MAX_TRPC_BATCH, MAX_TRPC_BODY_BYTES } from '../../src/server/http/server';
import { httpRequest, rawExchange, startTestWebServer, type TestWebServer } from '../harness/web-server';

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

// Raw bytes over a socket to the dashboard's real HTTP server: every malformed request gets a 400
// (never a crash or a hang), and the server answers normally afterwards.
describe('malformed requests to the web server', () => {
  let web: TestWebServer;

  before(async () => {
    web = await startTestWebServer();
  });
  after(async () => {
    await web?.close();
  });

  const stillServes = async () => {
    const health = await httpRequest(web.port, { path: '/api/health' });
    assert.equal(health.status, 200);
    const status = await httpRequest(web.port, { path: '/api/trpc/auth.status' });
    assert.equal(status.status, 200);
  };

  const cases: [string, string][] = [
    ['broken percent-encoding in a page path', 'GET /%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    [
      'broken percent-encoding in a procedure name',
      'GET /api/trpc/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ],
    [
      'an absolute-form URL that is no URL',
      'GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ],
    ['a request target that is not a path', 'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nthis is no header\r\n\r\n'],
    ['a header with a control character', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n'],
    ['a bad Content-Length', 'POST /api/trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
    [
      'a websocket upgrade on a broken URL',
      'GET /%ZZ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    ],
    [
      'a websocket upgrade with broken percent-encoding under /_next/',
      'GET /_next/%ZZ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    ],
  ];
  for (const [what, bytes] of cases) {
    test(`${what}: 400, and the server still answers`, async () => {
      const answer = await rawExchange(web.port, bytes);
      assert.equal(statusOf(answer), 400, `answer: ${JSON.stringify(answer.slice(0, 200))}`);
      await stillServes();
    });
  }

  test('a websocket upgrade the server does not serve gets 404; a client that resets it harms nothing', async () => {
    const answer = await rawExchange(
      web.port,
      'GET /api/trpc/hosts.watchFleet HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    );
    assert.equal(statusOf(answer), 404);
    // Half a request, then the connection dropped mid-way.
    await rawExchange(web.port, 'GET /_next/webpack-hmr HTTP/1.1\r\nUpgrade: websocket\r\nConn', 200);
    await stillServes();
  });

  test(`a tRPC body above ${MAX_TRPC_BODY_BYTES} bytes is refused with 413 before it is parsed`, async () => {
    const body = JSON.stringify({ username: 'x'.repeat(MAX_TRPC_BODY_BYTES), password: 'y' });
    const answer = await httpRequest(web.port, { method: 'POST', path: '/api/trpc/auth.login', body });
    assert.equal(answer.status, 413, answer.body.slice(0, 200));
    await stillServes();
  });

  test(`a tRPC batch of more than ${MAX_TRPC_BATCH} calls is refused with 400`, async () => {
    const size = MAX_TRPC_BATCH + 1;
    const answer = await httpRequest(web.port, {
      path: `/api/trpc/${Array(size).fill('auth.status').join(',')}?batch=1`,
    });
    assert.equal(answer.status, 400, answer.body.slice(0, 200));
    await stillServes();
  });

  test('malformed tRPC input (bad JSON, bytes that are no UTF-8 text) gets 400', async () => {
    const badJson = await httpRequest(web.port, {
      method: 'POST',
      path: '/api/trpc/auth.login',
      body: '{"username": ',
    });
    assert.equal(badJson.status, 400);
    const badBytes = await httpRequest(web.port, {
      method: 'POST',
      path: '/api/trpc/auth.login',
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x00, 0x7d]),
    });
    assert.equal(badBytes.status, 400);
    await stillServes();
  });

  test('a page that throws gets 500; the server logs it and still answers', async () => {
    // Pages need a session (else a redirect to the login page); the login page is public.
    const redirected = await httpRequest(web.port, { path: '/boom' });
    assert.equal(redirected.status, 302);
    const failed = await httpRequest(web.port, { path: '/login/boom' });
    assert.equal(failed.status, 500);
    assert.equal(failed.body, 'internal error');
    await stillServes();
  });
});

describe('process-level guard', () => {
  test('an unhandled rejection or stray exception is logged and the process keeps running', () => {
    const script = `
      import pino from 'pino';
      import { keepServingOnStrayErrors } from './src/server/http/server.ts';
      keepServingOnStrayErrors(pino());
      Promise.reject(new Error('nobody awaited this'));
      setTimeout(() => { throw new Error('thrown from a timer'); }, 10);
      setTimeout(() => { console.log(JSON.stringify({ msg: 'still alive' })); }, 100);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(child.status, 0, child.stderr);
    assert.match(
      child.stdout,
      /"message":"nobody awaited this".*"msg":"unhandled promise rejection \(the dashboard keeps running\)"/,
    );
    assert.match(
      child.stdout,
      /"message":"thrown from a timer".*"msg":"uncaught exception \(the dashboard keeps running\)"/,
    );
    assert.match(child.stdout, /still alive/);
  });
});
