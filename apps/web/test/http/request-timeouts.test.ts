import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import type { SessionUser } from '@stevedore/shared';
import { hashPassword } from '../../src/server/auth/password';
import { createUser } from '../../src/server/db/repositories/users';
import { registerAgentHost } from '../harness/control-plane';
import { startTestWebServer, type TestWebServer } from '../harness/web-server';

const REQUEST_MS = 1_000;
const UPLOAD_IDLE_MS = 1_000;
/** Generous: Node's timers on a loaded machine; what matters is that the connection closes at all. */
const SLACK_MS = 8_000;

interface OpenRequest {
  socket: Socket;
  /** Resolves with everything answered and when the server closed the connection. */
  closed: Promise<{ answer: string; at: number }>;
}

/** Sends `head` and whatever body bytes are given, over a raw socket, and leaves it open. */
function openRequest(port: number, head: string): OpenRequest {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<{ answer: string; at: number }>((resolve) => {
    // A reset counts as closed: what was answered before it still arrived.
    socket.on('error', () => {});
    socket.on('close', () => resolve({ answer: Buffer.concat(chunks).toString(), at: Date.now() }));
  });
  socket.write(head);
  return { socket, closed };
}

/** A ustar header for one regular file of `size` bytes (its content is for the caller to send). */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

const closedOrTimeout = (request: OpenRequest, ms: number) =>
  Promise.race([request.closed, sleep(ms).then(() => null)]);

// Raw sockets that send headers and then stall their body: the server must not hold them forever
// (it used to: requestTimeout = 0 for the sake of uploads).
describe('request body timeouts of the web server', { timeout: 300_000 }, () => {
  let web: TestWebServer;
  let agent: AgentProcess;
  let admin: SessionUser;
  let cookie: string;
  let hostId: string;

  before(async () => {
    // A loaded machine may take long to start an agent: not what this test measures.
    agent = await startAgent({ startTimeoutMs: 120_000 });
    web = await startTestWebServer({ timeouts: { requestMs: REQUEST_MS, uploadIdleMs: UPLOAD_IDLE_MS } });
    const row = await createUser(web.t.db, {
      username: 'timeouts-admin',
      passwordHash: await hashPassword('timeouts password 1'),
      role: 'admin',
    });
    admin = { id: row.id, username: row.username, role: 'admin' };
    const session = await web.plane.services.auth.login(
      { username: row.username, password: 'timeouts password 1' },
      { ip: '127.0.0.1', userAgent: null },
    );
    cookie = `stevedore_session=${session.token}`;
    hostId = await registerAgentHost(web.plane, admin, agent, 'timeouts');
  });
  after(async () => {
    await web?.close();
    await agent?.stop();
  });

  test('a tRPC request whose body stalls is answered 408 and closed within the bound', async () => {
    const started = Date.now();
    const request = openRequest(
      web.port,
      'POST /api/trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user',
    );
    try {
      const closed = await closedOrTimeout(request, REQUEST_MS + SLACK_MS);
      assert.ok(closed, `the stalled request was still open after ${REQUEST_MS + SLACK_MS} ms`);
      assert.match(closed.answer, /^HTTP\/1\.1 408 /);
      assert.ok(closed.at - started >= REQUEST_MS - 50, 'closed before the bound: too eager');
    } finally {
      request.socket.destroy();
    }
  });

  test('an upload to an agent runs past the request bound while bytes arrive, and is closed once they stop', async () => {
    const request = openRequest(
      web.port,
      `POST /api/images/load?hostId=${hostId}&file=a.tar HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/x-tar\r\nContent-Length: 1000000\r\n\r\n`,
    );
    try {
      // A tar entry that announces more than is sent: the agent keeps reading, as for a slow upload.
      request.socket.write(tarHeader('layer.tar', 900_000));
      // Three request bounds long, a few bytes every fifth of the idle bound.
      const trickleUntil = Date.now() + 3 * REQUEST_MS;
      let lastWrite = Date.now();
      while (Date.now() < trickleUntil) {
        request.socket.write(Buffer.alloc(512, 1));
        lastWrite = Date.now();
        const early = await closedOrTimeout(request, UPLOAD_IDLE_MS / 5);
        assert.equal(early, null, `the upload was closed while its bytes kept arriving: ${early?.answer}`);
      }
      const closed = await closedOrTimeout(request, UPLOAD_IDLE_MS + SLACK_MS);
      assert.ok(closed, `the stalled upload was still open after ${UPLOAD_IDLE_MS + SLACK_MS} ms`);
      assert.ok(
        closed.at - lastWrite >= UPLOAD_IDLE_MS - 50,
        `closed ${closed.at - lastWrite} ms after the last byte, before the idle bound: ${closed.answer}`,
      );
      assert.match(closed.answer, /^(HTTP\/1\.1 408 |$)/);
    } finally {
      request.socket.destroy();
    }
    // The agent saw a torn archive and loaded nothing; it still answers.
    assert.ok(await web.plane.callerAs(admin).images.list({ hostId }));
  });

  test('a request whose body arrives in time is served normally', async () => {
    const request = openRequest(web.port, 'GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
    try {
      // Keep-alive: the answer comes, and the connection outlives the request bound.
      const closed = await closedOrTimeout(request, REQUEST_MS * 2);
      assert.equal(closed, null, 'a finished request was cut off by the request bound');
    } finally {
      request.socket.destroy();
    }
  });
});
