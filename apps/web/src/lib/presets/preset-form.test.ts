import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Preset } from '@stevedore/shared';
import { EMPTY_PRESET_FORM, presetFormToInput, presetToForm, sizeText } from './preset-form';

const MiB = 1024 * 1024;

test('units as typed become the engine request; empty fields are left out', () => {
  const { input, issues } = presetFormToInput({
    ...EMPTY_PRESET_FORM,
    name: 'web-small',
    memory: '512m',
    memorySwap: '1g',
    cpus: '1.5',
    pidsLimit: '200',
    restart: 'on-failure',
    restartRetries: '3',
  });
  assert.deepEqual(issues, []);
  assert.deepEqual(input?.limits, {
    Memory: 512 * MiB,
    MemorySwap: 1024 * MiB,
    NanoCpus: 1_500_000_000,
    PidsLimit: 200,
    RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
  });
});

test('"unlimited" clears a limit; each problem lands beside its field with the engine wording', () => {
  const cleared = presetFormToInput({
    ...EMPTY_PRESET_FORM,
    name: 'open',
    memory: 'unlimited',
    memorySwap: '-1',
  });
  assert.deepEqual(cleared.input?.limits, { Memory: 0, MemorySwap: -1 });

  const bad = presetFormToInput({ ...EMPTY_PRESET_FORM, name: 'bad', memory: '12x', cpuShares: '1' });
  assert.deepEqual(
    bad.issues.map((i) => i.path),
    ['memory', 'cpuShares'],
  );
  assert.match(bad.issues[0]?.message ?? '', /invalid size "12x"/);
  assert.match(bad.issues[1]?.message ?? '', /between 2 and 262144/);
  assert.equal(bad.input, null);

  const combined = presetFormToInput({
    ...EMPTY_PRESET_FORM,
    name: 'swap',
    memory: '512m',
    memorySwap: '256m',
  });
  assert.deepEqual(
    combined.issues.map((i) => i.path),
    ['memorySwap'],
  );

  const nothing = presetFormToInput({ ...EMPTY_PRESET_FORM, name: 'empty' });
  assert.deepEqual(nothing.issues, [{ path: 'root', message: 'a preset sets at least one limit' }]);
  assert.deepEqual(
    presetFormToInput({ ...EMPTY_PRESET_FORM, memory: '1g' }).issues.map((i) => i.path),
    ['name'],
  );
});

test('a stored preset goes back into the form as it would be typed', () => {
  assert.equal(sizeText(512 * MiB), '512m');
  assert.equal(sizeText(1536 * 1024), '1536k');
  const preset = {
    id: 'p',
    name: 'web',
    description: '',
    limits: { Memory: 2 * 1024 * MiB, NanoCpus: 500_000_000, PidsLimit: 0 },
  } as Preset;
  const form = presetToForm(preset);
  assert.equal(form.memory, '2g');
  assert.equal(form.cpus, '0.5');
  assert.equal(form.pidsLimit, 'unlimited');
  assert.deepEqual(presetFormToInput(form).input?.limits, preset.limits);
});
