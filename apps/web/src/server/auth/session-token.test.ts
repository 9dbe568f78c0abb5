import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashSessionToken, newSessionToken, readSessionCookie, sessionCookie } from './session-token.js';

test('a session cookie round-trips through the Cookie header', () => {
  const token = newSessionToken();
  const setCookie = sessionCookie(token, { secure: false, maxAgeMs: 60_000 });
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.doesNotMatch(setCookie, /Secure/);
  const header = `other=1; ${setCookie.split(';')[0]}; theme=dark`;
  assert.equal(readSessionCookie(header), token);
});

test('malformed or missing cookies are ignored', () => {
  assert.equal(readSessionCookie(undefined), null);
  assert.equal(readSessionCookie('stevedore_session=short'), null);
  assert.equal(readSessionCookie('stevedore_session=../../etc/passwd-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'), null);
});

test('the stored hash is not the token', () => {
  const token = newSessionToken();
  assert.notEqual(hashSessionToken(token), token);
  assert.equal(hashSessionToken(token), hashSessionToken(token));
  assert.equal(hashSessionToken(token).length, 64);
});
