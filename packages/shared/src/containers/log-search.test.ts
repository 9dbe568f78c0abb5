import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileLogSearch, stripAnsi } from './log-search.js';

test('plain text is literal and case-insensitive unless asked', () => {
  const insensitive = compileLogSearch({ text: 'a.b(', regex: false, caseSensitive: false });
  assert.equal(insensitive.test('xx A.B( yy'), true);
  assert.equal(insensitive.test('aXb('), false);
  assert.deepEqual(insensitive.ranges('a.b( and A.B('), [
    [0, 4],
    [9, 13],
  ]);
  const sensitive = compileLogSearch({ text: 'Err', regex: false, caseSensitive: true });
  assert.equal(sensitive.test('err'), false);
  assert.deepEqual(sensitive.ranges('Err Err'), [
    [0, 3],
    [4, 7],
  ]);
});

test('regular expressions; an invalid one is INVALID_ARGUMENT; empty matches highlight nothing', () => {
  const regex = compileLogSearch({ text: 'line \\d+$', regex: true, caseSensitive: true });
  assert.equal(regex.test('line 42'), true);
  assert.equal(regex.test('line 42 more'), false);
  assert.throws(
    () => compileLogSearch({ text: '(unclosed', regex: true, caseSensitive: false }),
    (error: Error & { code?: string }) =>
      error.code === 'INVALID_ARGUMENT' && /regular expression/.test(error.message),
  );
  assert.deepEqual(compileLogSearch({ text: 'x*', regex: true, caseSensitive: false }).ranges('abxx'), [
    [2, 4],
  ]);
});

test('ANSI sequences are stripped from what is searched', () => {
  assert.equal(stripAnsi('\u001b[1;31mred\u001b[0m plain \u001b]0;title\u0007end'), 'red plain end');
  assert.equal(stripAnsi('no codes'), 'no codes');
});
