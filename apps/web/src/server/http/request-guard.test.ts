import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { isCrossSiteWrite, isPublicPath } from './request-guard.js';

const req = (method: string, headers: Record<string, string>) =>
  ({ method, headers }) as unknown as IncomingMessage;

test('only the login page, assets and the API are public', () => {
  for (const path of [
    '/login',
    '/_next/static/chunk.js',
    '/api/trpc/auth.status',
    '/favicon.ico',
    '/icon.svg',
  ]) {
    assert.equal(isPublicPath(path), true, path);
  }
  for (const path of ['/', '/hosts', '/hosts/abc', '/loginx', '/api/other', '/_nextx']) {
    assert.equal(isPublicPath(path), false, path);
  }
});

test('cross-site writes are refused, same-origin ones pass', () => {
  assert.equal(isCrossSiteWrite(req('POST', { host: 'a:3000', origin: 'http://evil.example' })), true);
  assert.equal(isCrossSiteWrite(req('POST', { host: 'a:3000', 'sec-fetch-site': 'cross-site' })), true);
  assert.equal(isCrossSiteWrite(req('POST', { host: 'a:3000', origin: 'http://a:3000' })), false);
  assert.equal(isCrossSiteWrite(req('GET', { host: 'a:3000', origin: 'http://evil.example' })), false);
});
