import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareResults, keyPaths, normalize } from './compare.js';
import { KNOWN_DIFFERENCES, knownEntryFor } from './known-differences.js';

const result = (code: number, stdout: string, stderr = '') => ({ code, stdout, stderr });

test('normalize: CLI name, IDs, times, durations and sizes', () => {
  assert.equal(
    normalize(
      `See 'docker run --help'. abcdef012345 sha256:${'a'.repeat(64)} 2026-12-05T23:40:08.1368Z Up 3 seconds 1.2MB`,
    ),
    "See 'CLI run --help'. <ID> sha256:<ID> <TIME> Up <DURATION> <SIZE>",
  );
  assert.equal(normalize('docker.io/library/busybox'), 'docker.io/library/busybox');
});

test('keyPaths: nested keys with types; array items share a path', () => {
  assert.deepEqual(
    [...keyPaths([{ A: { B: null }, C: [{ D: 1 }] }])],
    [
      ['[]', 'object'],
      ['[].A', 'object'],
      ['[].A.B', 'null'],
      ['[].C', 'array'],
      ['[].C[]', 'object'],
      ['[].C[].D', 'number'],
    ],
  );
});

test('compareResults: exit, stdout, stderr, keys and tables', () => {
  assert.deepEqual(compareResults('c#1', 'exact', result(0, 'a\n'), result(0, 'a\n')), []);
  assert.deepEqual(
    compareResults('c#1', 'exact', result(125, '', "See 'docker x'"), result(1, '', "See 'stevedore x'")).map(
      (d) => d.aspect,
    ),
    ['exit'],
  );
  assert.deepEqual(
    compareResults('c#2', 'keys', result(0, '{"A":1,"B":null}'), result(0, '{"A":"x","C":[]}')).map(
      (d) => d.detail,
    ),
    ['type of .A: docker number, stevedore string', 'only in docker: .B', 'only in stevedore: .C'],
  );
  assert.deepEqual(
    compareResults(
      'c#3',
      'table',
      result(0, 'NAME   STATUS\nx      Up 2 seconds\n'),
      result(0, 'NAME  STATUS\nx     Up 1 minute\n'),
    ),
    [],
  );
  assert.equal(compareResults('c#3', 'table', result(0, 'A  B\n'), result(0, 'A  C\n')).length, 1);
});

test('known differences: every entry has a reason; a difference is explained only by its own entry', () => {
  for (const entry of KNOWN_DIFFERENCES) assert.ok(entry.reason.length > 10, entry.where);
  assert.ok(knownEntryFor({ where: 'version-info#1', aspect: 'keys', detail: 'only in docker: .GoVersion' }));
  assert.equal(
    knownEntryFor({ where: 'images#1', aspect: 'keys', detail: 'only in docker: .GoVersion' }),
    undefined,
  );
  assert.equal(
    knownEntryFor({ where: 'version-info#1', aspect: 'stdout', detail: 'only in docker: .GoVersion' }),
    undefined,
  );
});
