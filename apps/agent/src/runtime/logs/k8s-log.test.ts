import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toNanos } from '../../util/time-bound.js';
import { inTimeRange, K8sLogParser, parseK8sLog, recordTag } from './k8s-log.js';

const T1 = '2026-11-22T14:04:29.983107911+00:00';
const T2 = '2026-11-22T14:04:30.000000001+00:00';

test('records are split by stream; partial records join their continuation', () => {
  const lines = parseK8sLog(`${T1} stdout P hel\n${T1} stderr F oops\n${T2} stdout F lo\n${T2} stdout F \n`);
  assert.deepEqual(lines, [
    { stream: 'stderr', time: T1, text: 'oops' },
    { stream: 'stdout', time: T1, text: 'hello' },
    { stream: 'stdout', time: T2, text: '' },
  ]);
});

test('a partial record at the end of one chunk is completed by the next chunk', () => {
  const parser = new K8sLogParser();
  assert.deepEqual(parser.push(`${T1} stdout P 0 1 2 \n`), []);
  assert.deepEqual(parser.push(`${T2} stdout F \n`), [{ stream: 'stdout', time: T1, text: '0 1 2 ' }]);
});

test('lines filter by time with nanosecond precision; record tags read from the first bytes', () => {
  const lines = parseK8sLog(`${T1} stdout F a\n${T2} stdout F b\n`);
  const texts = (since: bigint | null, until: bigint | null) =>
    lines.filter((line) => inTimeRange(line, { tail: null, since, until })).map((l) => l.text);
  assert.deepEqual(texts(toNanos(T2), null), ['b']);
  assert.deepEqual(texts(null, toNanos(T1)), ['a']);
  assert.equal(recordTag(Buffer.from(`${T1} stderr P x`)), 'P');
  assert.equal(recordTag(Buffer.from(`${T1} stdout F `)), 'F');
  assert.equal(recordTag(Buffer.from('garbage')), null);
});

test('a last record without a newline comes out as a partial line when the writer is done', () => {
  const parser = new K8sLogParser();
  assert.deepEqual(parser.push(`${T1} stdout F one\n${T2} stdout P two\n`), [
    { stream: 'stdout', time: T1, text: 'one' },
  ]);
  assert.deepEqual(parser.flush(), [{ stream: 'stdout', time: T2, text: 'two', partial: true }]);
  assert.deepEqual(parser.flush(), []);
});
