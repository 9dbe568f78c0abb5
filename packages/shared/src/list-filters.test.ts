import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  globMatches,
  groupFilters,
  ImageListInputSchema,
  matchesFilters,
  NetworkListInputSchema,
  VolumeListInputSchema,
} from './list-filters.js';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? [] : (result.error?.issues.map((issue) => issue.message) ?? []);

test('list filters: keys and the values of dangling and type are checked at the boundary', () => {
  assert.deepEqual(ImageListInputSchema.parse({ filters: ['dangling=true', 'label=a=b'] }).filters, [
    'dangling=true',
    'label=a=b',
  ]);
  assert.deepEqual(ImageListInputSchema.parse(undefined).filters, []);
  assert.match(
    messages(ImageListInputSchema.safeParse({ filters: ['colour=blue'] })).join(),
    /Invalid filter: image filters are dangling=, label=, reference=, before=, since=/,
  );
  assert.match(
    messages(VolumeListInputSchema.safeParse({ filters: ['dangling=maybe'] })).join(),
    /Invalid filter 'dangling=maybe': dangling is one of true, false, 1, 0/,
  );
  assert.match(
    messages(NetworkListInputSchema.safeParse({ filters: ['type=other'] })).join(),
    /Invalid filter 'type=other': type is one of builtin, custom/,
  );
  assert.equal(NetworkListInputSchema.safeParse({ filters: ['type=custom', 'dangling=0'] }).success, true);
});

test('list filters: one value of each key must match; reference patterns never cross a /', () => {
  const grouped = groupFilters(['label=a', 'label=b', 'name=x']);
  assert.deepEqual(
    [...grouped.entries()],
    [
      ['label', ['a', 'b']],
      ['name', ['x']],
    ],
  );
  const has = (present: string[]) => (key: string, value: string) => present.includes(`${key}=${value}`);
  assert.equal(matchesFilters(grouped, has(['label=b', 'name=x'])), true);
  assert.equal(matchesFilters(grouped, has(['label=b'])), false);
  assert.equal(globMatches('parity/*', 'parity/labelled'), true);
  assert.equal(globMatches('*', 'parity/labelled'), false);
  assert.equal(globMatches('busybox:1.3?', 'busybox:1.36'), true);
});
