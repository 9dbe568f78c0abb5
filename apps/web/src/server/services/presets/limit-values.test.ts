import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostConfigSchema } from '@stevedore/shared';
import { changesFor, differencesFrom, kernelView, limitValueOf, snapshotOf } from './limit-values';

const MiB = 1024 * 1024;
const hostConfig = (overrides: Record<string, unknown> = {}) => HostConfigSchema.parse(overrides);

test('a preview lists only the fields whose value changes, old → new', () => {
  const current = hostConfig({ Memory: 256 * MiB, CpuShares: 512 });
  assert.deepEqual(changesFor(current, { Memory: 512 * MiB, CpuShares: 512, PidsLimit: 100 }), [
    { field: 'Memory', from: 256 * MiB, to: 512 * MiB },
    { field: 'PidsLimit', from: null, to: 100 },
  ]);
});

test('spellings of unlimited compare equal; a restart policy compares as name[:retries]', () => {
  assert.equal(limitValueOf('PidsLimit', hostConfig({ PidsLimit: -1 })), null);
  assert.equal(limitValueOf('PidsLimit', { PidsLimit: 0 }), null);
  assert.deepEqual(changesFor(hostConfig({ PidsLimit: null }), { PidsLimit: 0 }), []);
  assert.deepEqual(
    changesFor(hostConfig({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }), {
      RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
    }),
    [{ field: 'RestartPolicy', from: 'on-failure:3', to: 'always' }],
  );
});

test('drift names each field that moved away from the applied value', () => {
  const applied = { Memory: 512 * MiB, NanoCpus: 1e9 };
  assert.deepEqual(differencesFrom(hostConfig({ Memory: 512 * MiB, NanoCpus: 1e9 }), applied), []);
  assert.deepEqual(
    differencesFrom(hostConfig({ Memory: 300 * MiB, CpuQuota: 50_000, CpuPeriod: 100_000 }), applied),
    [
      { field: 'Memory', expected: 512 * MiB, actual: 300 * MiB },
      { field: 'NanoCpus', expected: 1e9, actual: 0 },
    ],
  );
});

test('the snapshot a rollback re-applies is complete and never sets CPUs together with period/quota', () => {
  const quota = snapshotOf(hostConfig({ CpuQuota: 50_000, CpuPeriod: 100_000, Memory: 64 * MiB }), {
    NanoCpus: 2e9,
  });
  assert.equal(quota.NanoCpus, 0);
  assert.equal(quota.CpuQuota, 50_000);
  assert.equal(quota.Memory, 64 * MiB);
  assert.equal(quota.PidsLimit, 0);
  const nano = snapshotOf(hostConfig({ NanoCpus: 5e8 }), { NanoCpus: 2e9 });
  assert.equal(nano.NanoCpus, 5e8);
  assert.equal('CpuQuota' in nano, false);
  assert.equal('RestartPolicy' in nano, false, 'the restart policy only when the preset sets one');
});

test('kernelView: a reading that differs from the configuration replaces it; matching ones and other fields stay', () => {
  const configured = { Memory: 96, MemorySwap: 192, NanoCpus: 0 } as unknown as Parameters<
    typeof kernelView
  >[0];
  const { current, fromKernel } = kernelView(configured, [
    { field: 'Memory', applied: 80, matches: false },
    { field: 'MemorySwap', applied: 192, matches: true },
    { field: 'NanoCpus', applied: null, matches: false },
    { field: 'RestartPolicyX', applied: 5, matches: false },
  ]);
  assert.equal(current.Memory, 80);
  assert.equal(current.MemorySwap, 192);
  assert.equal(current.NanoCpus, 0, 'unlimited spelled as HostConfig does');
  assert.deepEqual([...fromKernel].sort(), ['Memory', 'NanoCpus']);
});
