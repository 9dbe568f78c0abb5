import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitCsvRecord } from './csv-record.js';

test('fields split on commas; quoted ones keep commas and write a quote as two', () => {
  assert.deepEqual(splitCsvRecord('type=bind,src=/a,dst=/b'), ['type=bind', 'src=/a', 'dst=/b']);
  assert.deepEqual(splitCsvRecord('"src=/a,b",dst=/c'), ['src=/a,b', 'dst=/c']);
  assert.deepEqual(splitCsvRecord('a,"say ""hi""",'), ['a', 'say "hi"', '']);
  assert.deepEqual(splitCsvRecord(''), ['']);
  assert.deepEqual(splitCsvRecord('a,,b'), ['a', '', 'b']);
});

test('a quote out of place is refused with its column', () => {
  assert.throws(() => splitCsvRecord('src=/a"b'), /bare " in non-quoted-field at column 7/);
  assert.throws(() => splitCsvRecord('"src=/a'), /extraneous or missing " in quoted-field/);
  assert.throws(() => splitCsvRecord('"src"=/a'), /extraneous or missing " in quoted-field at column 6/);
});
