import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteSize, parseCpuSet, parseCpus } from './units.js';

test('sizes use binary multiples and the units docker run accepts', () => {
  assert.equal(parseByteSize('512m'), 512 * 1024 ** 2);
  assert.equal(parseByteSize('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseByteSize('1024'), 1024);
  assert.equal(parseByteSize('6MB'), 6 * 1024 ** 2);
  assert.equal(parseByteSize('2GiB'), 2 * 1024 ** 3);
  assert.equal(parseByteSize('10 k'), 10 * 1024);
});

test('a size that is not one says what is allowed', () => {
  for (const bad of ['', 'm', '12x', '-1m', '1.2.3g', 'lots']) {
    assert.throws(() => parseByteSize(bad), /invalid size .*unit b, k, m, g, t or p/, bad);
  }
});

test('CPU counts become nano-CPUs', () => {
  assert.equal(parseCpus('0.5'), 500_000_000);
  assert.equal(parseCpus('2'), 2_000_000_000);
  assert.equal(parseCpus('1.25'), 1_250_000_000);
  assert.throws(() => parseCpus('0'), /greater than 0/);
  assert.throws(() => parseCpus('half'), /decimal number/);
});

test('cpusets expand ranges and refuse backwards or malformed ones', () => {
  assert.deepEqual(parseCpuSet('0-3,5'), [0, 1, 2, 3, 5]);
  assert.deepEqual(parseCpuSet('1,0,1'), [0, 1]);
  assert.throws(() => parseCpuSet('3-1'), /goes backwards/);
  assert.throws(() => parseCpuSet('a'), /numbers and ranges/);
});
