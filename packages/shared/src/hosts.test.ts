import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateHostInput, TlsHostInput } from './hosts.js';

const token = 'a-token-of-enough-length';

test('a URL that is not one says which field and what is allowed, not a bare "Invalid URL"', () => {
  const parsed = TlsHostInput.safeParse({ transport: 'tls', url: 'not-a-url', token });
  assert.equal(parsed.success, false);
  assert.deepEqual(
    parsed.error?.issues.map((issue) => ({ path: issue.path, message: issue.message })),
    [{ path: ['url'], message: 'must be an https:// URL such as https://10.0.0.5:2376' }],
  );
});

test('the add-host input gives the same field error for a malformed URL', () => {
  const parsed = CreateHostInput.safeParse({ name: 'edge-1', transport: 'tls', url: 'http//x', token });
  assert.equal(parsed.success, false);
  assert.deepEqual(parsed.error?.issues[0]?.path, ['url']);
});

test('plain http is refused except on loopback', () => {
  assert.equal(
    TlsHostInput.safeParse({ transport: 'tls', url: 'http://127.0.0.1:2376', token }).success,
    true,
  );
  const remote = TlsHostInput.safeParse({ transport: 'tls', url: 'http://10.0.0.5:2376', token });
  assert.match(remote.error?.issues[0]?.message ?? '', /must use https:\/\//);
});
