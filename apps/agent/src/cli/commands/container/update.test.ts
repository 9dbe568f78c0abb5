import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UPDATE_FLAGS, updateResourcesFromFlags } from './update.js';

const parse = (flags: Record<string, string>) => updateResourcesFromFlags((name) => flags[name]);

test('update flags: -1 clears, 0 leaves unchanged (as Docker), Docker spellings kept', () => {
  assert.deepEqual(parse({ memory: '-1', 'memory-reservation': '-1', 'cpu-shares': '-1' }).resources, {
    Memory: 0,
    MemoryReservation: 0,
    CpuShares: 0,
  });
  assert.deepEqual(parse({ memory: '0' }), { resources: {}, given: 1 });
  assert.deepEqual(parse({ cpus: '0' }).resources, { NanoCpus: 0 });
  assert.deepEqual(parse({ cpus: '1.5' }).resources, { NanoCpus: 1.5e9 });
  assert.deepEqual(parse({ 'pids-limit': '0' }).resources, { PidsLimit: -1 });
  assert.deepEqual(parse({ 'pids-limit': '-1' }).resources, { PidsLimit: -1 });
  assert.deepEqual(parse({ 'memory-swap': '-1' }).resources, { MemorySwap: -1 });
  assert.deepEqual(parse({ 'cpuset-cpus': '' }).resources, { CpusetCpus: '' });
  assert.deepEqual(parse({ memory: '64m' }).resources, { Memory: 64 * 1024 * 1024 });
});

test('update flags: values the engine would refuse are refused with the reason', () => {
  assert.throws(() => parse({ memory: '1k' }), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => parse({ 'cpu-shares': '1' }), /CPU shares must be between 2 and 262144/);
  assert.throws(() => parse({ memory: 'lots' }), /invalid argument "lots" for "--memory" flag/);
});

test('update --help says how each limit is removed', () => {
  const help = new Map(UPDATE_FLAGS.map((flag) => [flag.name, flag.description]));
  assert.match(help.get('memory') ?? '', /-1 removes the limit; 0 leaves it unchanged/);
  assert.match(help.get('pids-limit') ?? '', /0 or -1 removes the limit/);
  assert.match(help.get('cpus') ?? '', /0 or -1 removes the CPU limit/);
  assert.ok(help.has('restart'));
});
