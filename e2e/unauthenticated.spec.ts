import { expect, test } from './fixtures';

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
