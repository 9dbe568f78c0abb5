import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OperationalError } from '../errors.js';
import { alignColumns, type ListColumns, labelsText, listLines } from './table.js';

const COLUMNS: ListColumns = {
  headers: { ID: 'CONTAINER ID', Image: 'IMAGE', Names: 'NAMES', Labels: 'LABELS' },
  table: '{{.ID}}\t{{.Image}}\t{{.Names}}',
};
const ROWS = [
  { ID: '0123456789ab', Image: 'busybox', Names: 'web', Labels: { a: '1' }, CreatedAt: '2026-12-05' },
  { ID: 'ba9876543210', Image: 'registry.local/app:v1', Names: 'api', Labels: {}, CreatedAt: '2026-12-04' },
];

test("alignColumns pads like Docker's tabwriter: longest cell + 3, at least 10, the last cell bare", () => {
  assert.deepEqual(alignColumns(['A\tBB\tC', 'AAAAAAAAAAAA\tB\tCCCC']), [
    'A              BB        C',
    'AAAAAAAAAAAA   B         CCCC',
  ]);
  assert.deepEqual(alignColumns(['TOP\tX'], 20), [`TOP${' '.repeat(17)}X`]);
  // Width counts characters (runes, as Go), not UTF-16 units.
  assert.deepEqual(alignColumns(['𝔘𝔘𝔘𝔘𝔘𝔘𝔘𝔘\tx', 'abc\ty']), ['𝔘𝔘𝔘𝔘𝔘𝔘𝔘𝔘   x', 'abc        y']);
  assert.deepEqual(
    alignColumns(['a\t', 'b\tc']),
    ['a', 'b         c'],
    'an empty last cell leaves no trailing spaces',
  );
});

test("'table …' prints a header made of the fields' names, columns aligned", () => {
  assert.deepEqual(listLines('table {{.ID}}\\t{{.Image}}', ROWS, COLUMNS), [
    'CONTAINER ID   IMAGE',
    '0123456789ab   busybox',
    'ba9876543210   registry.local/app:v1',
  ]);
  assert.deepEqual(listLines('table {{.Names}}:{{.Image}}', ROWS.slice(0, 1), COLUMNS), [
    'NAMES:IMAGE',
    'web:busybox',
  ]);
});

test("'table' alone and no --format print the default table; a header shows even with no rows", () => {
  const expected = [
    'CONTAINER ID   IMAGE                   NAMES',
    '0123456789ab   busybox                 web',
    'ba9876543210   registry.local/app:v1   api',
  ];
  assert.deepEqual(listLines('table', ROWS, COLUMNS), expected);
  assert.deepEqual(listLines(undefined, ROWS, COLUMNS), expected);
  assert.deepEqual(listLines('table {{.ID}}\t{{.Names}}', [], COLUMNS), ['CONTAINER ID   NAMES']);
});

test('header names: functions keep the name, unmapped fields are split and upper-cased', () => {
  assert.deepEqual(
    listLines('table {{json .Labels}}\t{{upper .Image}}\t{{.CreatedAt}}', ROWS.slice(1), COLUMNS),
    ['LABELS    IMAGE                   CREATED AT', '{}        REGISTRY.LOCAL/APP:V1   2026-12-04'],
  );
});

test('a format that is not a table prints one rendering per row and no header', () => {
  assert.deepEqual(listLines('{{.ID}}\\t{{.Names}}', ROWS, COLUMNS), [
    '0123456789ab\tweb',
    'ba9876543210\tapi',
  ]);
  assert.deepEqual(listLines('json', ROWS.slice(0, 1), COLUMNS), [JSON.stringify(ROWS[0])]);
});

test('a table template that fails on a row is a one-line error', () => {
  assert.throws(
    () => listLines('table {{.Nope}}', ROWS, COLUMNS),
    (error) => error instanceof OperationalError && /can't evaluate field Nope/.test(error.message),
  );
});

test('labels print as sorted k=v pairs joined by commas', () => {
  assert.equal(labelsText({ b: '2', a: '1', 'com.x': '' }), 'a=1,b=2,com.x=');
  assert.equal(labelsText({}), '');
});
