import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shortenIds } from './toasts';

test('toasts shorten engine ids and digests to 12 characters, leaving other text alone', () => {
  const id = 'ab12'.repeat(16);
  assert.equal(
    shortenIds(`stop ${id}: Container ${id} is not running`),
    'stop ab12ab12ab12: Container ab12ab12ab12 is not running',
  );
  assert.equal(shortenIds(`pulled sha256:${id}`), 'pulled sha256:ab12ab12ab12');
  assert.equal(shortenIds('Host edge-1 removed (deadbeef)'), 'Host edge-1 removed (deadbeef)');
});
