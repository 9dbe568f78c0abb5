import { connect } from 'node:net';
import { expect, test } from './fixtures';

/** Raw bytes to the dashboard; what it answers before closing the connection. */
function raw(baseURL: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(baseURL);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let answer = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => socket.destroy()); // a reset after the answer: the answer counts
    socket.on('close', () => resolve(answer));
    socket.write(bytes);
  });
}

test('pages redirect to the login page without a session', async ({ request }) => {
  for (const path of ['/', '/hosts', '/hosts/anything']) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(302);
    expect(response.headers().location, path).toMatch(/^\/login\?next=/);
  }
});

test('API procedures refuse callers without a session', async ({ request }) => {
  const list = await request.get('/api/trpc/hosts.list');
  expect(list.status()).toBe(401);
  const info = await request.get(
    `/api/trpc/hosts.info?input=${encodeURIComponent(JSON.stringify({ hostId: 'x' }))}`,
  );
  expect(info.status()).toBe(401);
  const forged = await request.get('/api/trpc/hosts.list', {
    headers: { cookie: 'stevedore_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  });
  expect(forged.status()).toBe(401);
});

test('a cross-site write is refused before it reaches a procedure', async ({ request }) => {
  const response = await request.post('/api/trpc/auth.login', {
    headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
    data: { username: 'admin', password: 'whatever' },
  });
  expect(response.status()).toBe(403);
});

test('malformed requests get 400 from the built dashboard, which keeps serving', async ({
  request,
  stack,
}) => {
  const malformed = [
    'GET /%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET /api/trpc/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n',
    'GET /%ZZ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  ];
  for (const bytes of malformed) {
    const answer = await raw(stack.web.baseURL, bytes);
    expect(answer.slice(0, 12), JSON.stringify(bytes)).toBe('HTTP/1.1 400');
    expect((await request.get('/api/health')).status()).toBe(200);
  }
  const tooBig = await request.post('/api/trpc/auth.login', {
    headers: { 'content-type': 'application/json' },
    data: JSON.stringify({ username: 'x'.repeat(2 * 1024 * 1024), password: 'y' }),
  });
  expect(tooBig.status()).toBe(413);
  expect((await request.get('/login')).status()).toBe(200);
});
