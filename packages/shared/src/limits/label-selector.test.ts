import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelSelectorSchema, parseLabelSelector, selectorMatches } from './label-selector.js';

const labels = { tier: 'web', env: 'prod', canary: '', 'com.example.team': 'a=b' };
const matches = (selector: string) => selectorMatches(labels, parseLabelSelector(selector));

test('key, key=value and key!=value terms, all of which must hold', () => {
  assert.equal(matches('tier'), true);
  assert.equal(matches('tier=web'), true);
  assert.equal(matches('tier=db'), false);
  assert.equal(matches('tier!=db'), true);
  assert.equal(matches('tier!=web'), false);
  assert.equal(matches('missing!=x'), true, 'an absent label differs from any value');
  assert.equal(matches('missing'), false);
  assert.equal(matches('tier=web, env=prod'), true);
  assert.equal(matches('tier=web,env=staging'), false);
  assert.equal(matches('canary='), true, 'an empty value is a value');
  assert.equal(matches('com.example.team=a=b'), true, 'the value is everything after the first =');
});

test('a selector with no term or a malformed key is refused with what to type', () => {
  assert.throws(() => parseLabelSelector(' , '), /at least one term/);
  assert.throws(() => parseLabelSelector('=web'), /key, key=value or key!=value/);
  assert.throws(() => parseLabelSelector('ti er=web'), /key, key=value or key!=value/);
  assert.equal(LabelSelectorSchema.safeParse('tier=web').success, true);
  assert.equal(LabelSelectorSchema.safeParse('!tier').success, false);
});
