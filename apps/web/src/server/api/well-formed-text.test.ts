import assert from 'node:assert/strict';
import { test } from 'node:test';
import { malformedTextPath } from './well-formed-text';

test('a lone surrogate anywhere in the input is found with its path; paired ones are text', () => {
  assert.equal(malformedTextPath({ action: 'start', actor: 'web 😀' }), null);
  assert.equal(malformedTextPath({ action: '\ud800 lone' }), 'input.action');
  assert.equal(malformedTextPath({ labels: [{ key: 'ok' }, { key: 'x\udc00' }] }), 'input.labels.1.key');
  assert.equal(malformedTextPath({ 'k\ud800': 1 }), 'input.k\ud800');
  assert.equal(malformedTextPath('\ud83d'), 'input');
  assert.equal(malformedTextPath(42), null);
});
