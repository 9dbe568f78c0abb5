import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetContainer } from '@stevedore/shared';
import { fleetContainer } from '../../testing/fleet-container';
import { applyWindowUpdate, initialWindow, nextWindow, WINDOW_MARGIN } from './container-window-state';

const row = (name: string): FleetContainer => fleetContainer('h', name);
const full = { cpuPercent: 1, memoryUsage: 2, memoryLimit: 3, rxRate: 0, txRate: 0 };

test('a window update replaces the keys, drops rows and usage that left, merges usage changes', () => {
  const state = initialWindow({
    rows: [row('a'), row('b')],
    usage: { 'h/a': full },
    total: 2,
    hosts: 1,
    loadingHosts: 0,
    at: 0,
    fingerprints: {},
  });
  assert.deepEqual(state.keys, ['h/a', 'h/b']);
  applyWindowUpdate(state, {
    seq: 1,
    total: 3,
    matching: 3,
    hosts: 1,
    loadingHosts: 0,
    start: 1,
    keys: ['h/b', 'h/c'],
    rows: [row('c')],
    usage: { 'h/c': full, 'h/b': { cpuPercent: 9 } },
  });
  assert.deepEqual([...state.rows.keys()], ['h/b', 'h/c']);
  assert.equal(state.usage.has('h/a'), false);
  // b had no full usage here: a partial change alone is dropped.
  assert.equal(state.usage.has('h/b'), false);
  assert.deepEqual(state.usage.get('h/c'), full);
  assert.equal(state.start, 1);
  applyWindowUpdate(state, {
    seq: 1,
    total: 3,
    matching: 3,
    hosts: 1,
    loadingHosts: 0,
    start: 1,
    rows: [],
    usage: { 'h/c': { cpuPercent: 50 } },
  });
  assert.equal(state.usage.get('h/c')?.cpuPercent, 50);
  assert.deepEqual(state.keys, ['h/b', 'h/c']);
});

test('the window moves only when the rows on screen near its edge', () => {
  const asked = { start: 0, end: 60 };
  assert.equal(nextWindow(asked, { from: 0, to: 20 }, 1000), null);
  assert.equal(nextWindow(asked, { from: 20, to: 40 }, 1000), null);
  assert.deepEqual(nextWindow(asked, { from: 40, to: 60 }, 1000), { start: 0, end: 60 + WINDOW_MARGIN });
  assert.deepEqual(nextWindow(asked, { from: 500, to: 520 }, 1000), {
    start: 500 - WINDOW_MARGIN,
    end: 520 + WINDOW_MARGIN,
  });
  // The list's end: no need to ask further.
  assert.equal(nextWindow({ start: 0, end: 60 }, { from: 30, to: 50 }, 50), null);
});
