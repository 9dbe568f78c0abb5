import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runArgs } from '@stevedore/shared';
import { diffForms, needsRecreate, overlayChanges } from './diff';
import { createToForm } from './from-inspect';
import { formToCreate } from './to-create';
import { EMPTY_FORM } from './values';

const S = 1_000_000_000;
const form = (changes: Partial<typeof EMPTY_FORM>) => ({ ...EMPTY_FORM, image: 'busybox', ...changes });
const issuesOf = (changes: Partial<typeof EMPTY_FORM>) =>
  Object.fromEntries(formToCreate(form(changes)).issues.map((issue) => [issue.path, issue.message]));

test('the health fields make the same Config.Healthcheck as the CLI flags, and the command line shows them', () => {
  const { create } = formToCreate(
    form({
      healthCmd: 'wget -qO- localhost',
      healthInterval: '10s',
      healthRetries: '5',
      healthStartPeriod: '1m',
    }),
  );
  assert.deepEqual(create?.Config.Healthcheck, {
    Test: ['CMD-SHELL', 'wget -qO- localhost'],
    Interval: 10 * S,
    Timeout: 0,
    StartPeriod: 60 * S,
    StartInterval: 0,
    Retries: 5,
  });
  assert.ok(create);
  const words = runArgs(create);
  assert.deepEqual(words.slice(words.indexOf('--health-cmd'), words.indexOf('--health-cmd') + 8), [
    '--health-cmd',
    'wget -qO- localhost',
    '--health-interval',
    '10s',
    '--health-retries',
    '5',
    '--health-start-period',
    '1m0s',
  ]);
  assert.equal(formToCreate(form({})).create?.Config.Healthcheck, undefined, 'no fields: the image decides');
  assert.deepEqual(formToCreate(form({ noHealthcheck: true })).create?.Config.Healthcheck, {
    Test: ['NONE'],
  });
});

test('each health field gets its own error: units, negatives, the 1 ms floor, a disabled check with settings', () => {
  assert.match(issuesOf({ healthInterval: '10' }).healthInterval ?? '', /missing unit/);
  assert.equal(issuesOf({ healthTimeout: '-1s' }).healthTimeout, '--health-timeout cannot be negative');
  assert.equal(issuesOf({ healthRetries: 'x' }).healthRetries, '"x" is not a whole number');
  assert.equal(
    issuesOf({ healthCmd: 'true', healthStartInterval: '10us' }).healthStartInterval,
    'StartInterval in Healthcheck cannot be less than 1ms',
  );
  assert.match(
    issuesOf({ noHealthcheck: true, healthCmd: 'true' }).noHealthcheck ?? '',
    /takes no other health settings/,
  );
});

test('duplicating and editing carry the healthcheck; a change of it needs a recreate', () => {
  const { create } = formToCreate(form({ healthCmd: 'test -f /ready', healthInterval: '2s' }));
  assert.ok(create);
  const values = createToForm(create);
  assert.equal(values.healthCmd, 'test -f /ready');
  assert.equal(values.healthInterval, '2s');
  const edited = formToCreate({ ...values, healthInterval: '5s' }).create;
  assert.ok(edited);
  const changes = diffForms(values, { ...values, healthInterval: '5s' });
  assert.deepEqual(
    changes.map((change) => [change.label, change.before, change.after]),
    [['Health interval', '2s', '5s']],
  );
  assert.ok(needsRecreate(changes));
  const result = overlayChanges(create, edited, ['healthInterval']);
  assert.equal(result.Config.Healthcheck?.Interval, 5 * S);
  const cleared = formToCreate({ ...values, healthCmd: '', healthInterval: '' }).create;
  assert.ok(cleared);
  assert.equal(overlayChanges(create, cleared, ['healthCmd']).Config.Healthcheck, undefined);
});
