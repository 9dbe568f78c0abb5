import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  changedLimits,
  LimitsFormSchema,
  type LimitsFormValues,
  limitsFormToUpdate,
  limitsToForm,
} from './limits-form';

const MIB = 1024 ** 2;
const EMPTY: LimitsFormValues = {
  memory: '',
  memorySwap: '',
  memoryReservation: '',
  cpus: '',
  cpuShares: '',
  cpusetCpus: '',
  pidsLimit: '',
  blkioWeight: '',
  restart: 'no',
  restartRetries: '',
};
const CONFIG = {
  Memory: 512 * MIB,
  MemorySwap: -1,
  MemoryReservation: 0,
  NanoCpus: 1.5e9,
  CpuQuota: 0,
  CpuPeriod: 0,
  CpuShares: 512,
  CpusetCpus: '0-1',
  PidsLimit: 100,
  BlkioWeight: 0,
  RestartPolicy: { Name: 'on-failure' as const, MaximumRetryCount: 3 },
};

test('units as the CLI takes them; empty fields clear their limit', () => {
  const { update, issues } = limitsFormToUpdate({ ...EMPTY, memory: '512m', memorySwap: '1g', cpus: '1.5' });
  assert.deepEqual(issues, []);
  assert.equal(update?.Memory, 512 * MIB);
  assert.equal(update?.MemorySwap, 1024 * MIB);
  assert.equal(update?.NanoCpus, 1.5e9);
  const cleared = limitsFormToUpdate(EMPTY).update;
  assert.deepEqual(
    { ...cleared },
    {
      Memory: 0,
      MemorySwap: 0,
      MemoryReservation: 0,
      NanoCpus: 0,
      CpuShares: 0,
      CpusetCpus: '',
      PidsLimit: 0,
      BlkioWeight: 0,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
  );
  assert.equal(limitsFormToUpdate({ ...EMPTY, memory: '64m', memorySwap: '-1' }).update?.MemorySwap, -1);
});

test("the engine's own rules land on the field they are about", () => {
  const check = (values: Partial<LimitsFormValues>) => limitsFormToUpdate({ ...EMPTY, ...values }).issues;
  assert.deepEqual(check({ memory: '12Q' }), [
    {
      path: 'memory',
      message: 'invalid size "12Q": use a number with an optional unit b, k, m, g, t or p (e.g. 512m, 1.5g)',
    },
  ]);
  assert.deepEqual(check({ memory: '1m' }), [
    { path: 'memory', message: 'Minimum memory limit allowed is 6MB' },
  ]);
  assert.equal(check({ memorySwap: '1g' })[0]?.path, 'memorySwap');
  assert.equal(check({ memory: '64m', memoryReservation: '128m' })[0]?.path, 'memoryReservation');
  assert.deepEqual(check({ cpuShares: '1' }), [
    { path: 'cpuShares', message: 'CPU shares must be between 2 and 262144' },
  ]);
  assert.equal(check({ cpusetCpus: '0-' })[0]?.path, 'cpusetCpus');
  assert.equal(check({ blkioWeight: '5' })[0]?.path, 'blkioWeight');
  assert.equal(check({ cpus: 'two' })[0]?.path, 'cpus');
  assert.equal(check({ restart: 'on-failure', restartRetries: 'x' })[0]?.path, 'restartRetries');
  const parsed = LimitsFormSchema.safeParse({ ...EMPTY, pidsLimit: '1.5' });
  assert.equal(parsed.success, false);
  assert.deepEqual(parsed.error?.issues[0]?.path, ['pidsLimit']);
});

test('a configuration fills the form and reads back to the same update', () => {
  const values = limitsToForm(CONFIG);
  assert.deepEqual(values, {
    memory: '512m',
    memorySwap: '-1',
    memoryReservation: '',
    cpus: '1.5',
    cpuShares: '512',
    cpusetCpus: '0-1',
    pidsLimit: '100',
    blkioWeight: '',
    restart: 'on-failure',
    restartRetries: '3',
  });
  const update = limitsFormToUpdate(values).update;
  assert.equal(update?.Memory, CONFIG.Memory);
  assert.equal(update?.PidsLimit, 100);
  assert.deepEqual(update?.RestartPolicy, CONFIG.RestartPolicy);
  assert.equal(limitsToForm({ ...CONFIG, NanoCpus: 0, CpuQuota: 50_000, CpuPeriod: 100_000 }).cpus, '0.5');
  assert.equal(limitsToForm({ ...CONFIG, RestartPolicy: { Name: '', MaximumRetryCount: 0 } }).restart, 'no');
});

test('only the changed limits are sent, a cleared one as its unlimited value', () => {
  const before = limitsFormToUpdate(limitsToForm(CONFIG)).update;
  const after = limitsFormToUpdate({ ...limitsToForm(CONFIG), memory: '', cpus: '2' }).update;
  assert.ok(before && after);
  assert.deepEqual(changedLimits(before, after), { Memory: 0, NanoCpus: 2e9 });
  assert.deepEqual(changedLimits(before, before), {});
});
