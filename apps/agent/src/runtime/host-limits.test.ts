import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostConfigSchema } from '@stevedore/shared';
import { capabilitiesFromMask, type HostResources } from '../host/host-resources.js';
import { checkHostLimits } from './host-limits.js';

const host: HostResources = {
  ncpu: 2,
  onlineCpus: [0, 1],
  memoryNodes: [0],
  cgroupVersion: '1',
  swapAccounting: false,
  nofileHardLimit: 20000,
  initBinary: null,
  boundingCapabilities: ['CAP_CHOWN', 'CAP_NET_ADMIN'],
  blkioWeight: false,
};
const limits = (values: Record<string, unknown>) => HostConfigSchema.parse(values);

test('limits beyond the host are refused in Docker words', () => {
  assert.throws(
    () => checkHostLimits(limits({ NanoCpus: 3e9 }), host),
    /Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available/,
  );
  assert.throws(
    () => checkHostLimits(limits({ CpusetCpus: '0-3' }), host),
    /Requested CPUs are not available - requested 0-3, available: 0,1/,
  );
  assert.throws(
    () => checkHostLimits(limits({ CpusetMems: '1' }), host),
    /Requested memory nodes are not available/,
  );
  assert.throws(
    () => checkHostLimits(limits({ Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1048576 }] }), host),
    /above the agent's hard limit of 20000/,
  );
  assert.throws(
    () => checkHostLimits(limits({ OomKillDisable: true }), { ...host, cgroupVersion: '2' }),
    /only supported on cgroup v1/,
  );
});

test('what fits passes; swap without accounting is a warning, as in Docker', () => {
  assert.deepEqual(checkHostLimits(limits({ NanoCpus: 2e9, CpusetCpus: '1' }), host), []);
  assert.match(
    checkHostLimits(limits({ Memory: 64 << 20, MemorySwap: 128 << 20 }), host)[0]!,
    /does not support swap limit/,
  );
});

test('capabilities the agent does not hold cannot be added; the bounding mask decodes by bit', () => {
  assert.throws(
    () => checkHostLimits(limits({ CapAdd: ['SYS_RESOURCE'] }), host),
    /CAP_SYS_RESOURCE is not available on this host/,
  );
  assert.deepEqual(checkHostLimits(limits({ CapAdd: ['NET_ADMIN'] }), host), []);
  const all = capabilitiesFromMask('000001ffffffffff');
  assert.equal(all.length, 41);
  assert.ok(!capabilitiesFromMask('000001fffeffffff').includes('CAP_SYS_RESOURCE'));
});
