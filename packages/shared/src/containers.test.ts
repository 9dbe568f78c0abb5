import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ContainerCreateSchema,
  HostConfigSchema,
  normalizeSignal,
  parseRestartPolicy,
} from './containers/index.js';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? [] : (result.error?.issues.map((i) => i.message) ?? []);

test('resource combinations are checked with the reason', () => {
  assert.deepEqual(messages(HostConfigSchema.safeParse({ Memory: 4 << 20 })), [
    'Minimum memory limit allowed is 6MB',
  ]);
  assert.match(
    messages(HostConfigSchema.safeParse({ Memory: 64 << 20, MemorySwap: 32 << 20 }))[0]!,
    /memoryswap limit should be larger/,
  );
  assert.match(
    messages(HostConfigSchema.safeParse({ MemorySwap: 32 << 20 }))[0]!,
    /always set the Memory limit/,
  );
  assert.match(
    messages(HostConfigSchema.safeParse({ NanoCpus: 1e9, CpuQuota: 50000 }))[0]!,
    /Conflicting options/,
  );
  assert.match(messages(HostConfigSchema.safeParse({ CpuShares: 1 }))[0]!, /between 2 and 262144/);
  assert.match(
    messages(HostConfigSchema.safeParse({ AutoRemove: true, RestartPolicy: { Name: 'always' } }))[0]!,
    /--restart and --rm/,
  );
  assert.ok(HostConfigSchema.safeParse({ Memory: 64 << 20, MemorySwap: -1, NanoCpus: 5e8 }).success);
});

test('names, capabilities, binds and signals are validated', () => {
  assert.match(
    messages(ContainerCreateSchema.safeParse({ name: 'bad name', Config: { Image: 'x' } }))[0]!,
    /Invalid container name/,
  );
  assert.match(messages(HostConfigSchema.safeParse({ CapAdd: ['FLY'] }))[0]!, /unknown capability/);
  assert.deepEqual(HostConfigSchema.parse({ CapAdd: ['net_admin', 'CAP_SYS_TIME'] }).CapAdd, [
    'CAP_NET_ADMIN',
    'CAP_SYS_TIME',
  ]);
  assert.match(messages(HostConfigSchema.safeParse({ Binds: ['relative:dir'] }))[0]!, /SOURCE:\]DEST/);
  assert.ok(HostConfigSchema.safeParse({ Binds: ['/data', 'vol:/x:ro', '/host:/ctr'] }).success);
  assert.deepEqual(normalizeSignal('term'), { name: 'SIGTERM', number: 15 });
  assert.deepEqual(normalizeSignal('9'), { name: 'SIGKILL', number: 9 });
  assert.throws(() => normalizeSignal('SIGFOO'), /invalid signal "SIGFOO"/);
});

test('restart policies parse like --restart', () => {
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(parseRestartPolicy('always'), { Name: 'always', MaximumRetryCount: 0 });
  assert.throws(() => parseRestartPolicy('always:3'), /only on-failure takes/);
  assert.throws(() => parseRestartPolicy('often'), /invalid restart policy/);
});
