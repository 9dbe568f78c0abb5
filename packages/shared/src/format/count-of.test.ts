import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countOf, pluralOf } from './count-of.js';

test('countOf agrees the noun with the count, zero included', () => {
  assert.equal(countOf(1, 'image'), '1 image');
  assert.equal(countOf(3, 'image'), '3 images');
  assert.equal(countOf(0, 'host'), '0 hosts');
  assert.equal(countOf(-1, 'item'), '-1 items');
});

test('countOf takes an explicit plural, also one carrying a verb', () => {
  assert.equal(countOf(1, 'image goes', 'images go'), '1 image goes');
  assert.equal(countOf(2, 'image goes', 'images go'), '2 images go');
  assert.equal(countOf(2, 'container is', 'containers are'), '2 containers are');
});

test('pluralOf knows the irregular plurals the product uses and the -es endings', () => {
  assert.equal(pluralOf('process'), 'processes');
  assert.equal(pluralOf('address'), 'addresses');
  assert.equal(pluralOf('entry'), 'entries');
  assert.equal(pluralOf('box'), 'boxes');
  assert.equal(pluralOf('match'), 'matches');
  assert.equal(pluralOf('CPU'), 'CPUs');
  assert.equal(pluralOf('argument'), 'arguments');
  assert.equal(countOf(2, 'process'), '2 processes');
});
