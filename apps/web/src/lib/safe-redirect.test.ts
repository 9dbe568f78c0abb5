import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_AFTER_LOGIN, safeRedirectPath } from './safe-redirect.js';

test('same-origin paths are kept, with their query and fragment', () => {
  assert.equal(safeRedirectPath('/hosts'), '/hosts');
  assert.equal(safeRedirectPath('/hosts/abc?tab=images#top'), '/hosts/abc?tab=images#top');
  assert.equal(safeRedirectPath('/events?host=a%2Fb'), '/events?host=a%2Fb');
});

test('anything that could leave the origin goes to the default page', () => {
  const hostile = [
    null,
    undefined,
    '',
    'hosts',
    '//evil.example',
    '//evil.example/hosts',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/ /evil.example'.replace(' ', '\r'),
    'http://evil.example',
    'https://evil.example/hosts',
    'HTTP://evil.example',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    ' /hosts',
    `/${'a'.repeat(3000)}`,
  ];
  for (const next of hostile) {
    const result = safeRedirectPath(next);
    assert.ok(
      result === DEFAULT_AFTER_LOGIN || (result.startsWith('/') && !result.startsWith('//')),
      `${JSON.stringify(next)} → ${result}`,
    );
    assert.ok(!/evil|javascript|data:/i.test(result), `${JSON.stringify(next)} → ${result}`);
  }
  for (const next of [
    '//evil.example',
    '/\\evil.example',
    '/\t/evil.example',
    'https://evil.example',
    'javascript:x',
  ]) {
    assert.equal(safeRedirectPath(next), DEFAULT_AFTER_LOGIN, JSON.stringify(next));
  }
});

test('percent-encoded slashes stay encoded, so the browser keeps them in the path', () => {
  for (const next of ['/%2F%2Fevil.example', '/%2f/evil.example', '/%5Cevil.example', '/%09/evil.example']) {
    const result = safeRedirectPath(next);
    // What the browser does with the result: it must stay on this origin.
    assert.equal(
      new URL(result, 'https://dash.example').origin,
      'https://dash.example',
      `${next} → ${result}`,
    );
  }
  // `/.//evil.example` normalises to `//evil.example`: refused.
  assert.equal(safeRedirectPath('/.//evil.example'), DEFAULT_AFTER_LOGIN);
});
