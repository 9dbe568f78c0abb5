import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AlertRuleFormSchema,
  AlertRuleInputSchema,
  alertRuleFromForm,
  alertRuleToForm,
  WebhookInputSchema,
} from './alerts.js';

test('the rule form round-trips a stored rule, and its errors land on the field that caused them', () => {
  const stored = AlertRuleInputSchema.parse({
    name: 'loop',
    condition: { kind: 'restart-loop', restarts: 4, windowMinutes: 15 },
    hostIds: ['h1'],
    labels: ['tier=web', 'team'],
  });
  const form = alertRuleToForm(stored);
  assert.equal(form.labels, 'tier=web, team');
  assert.deepEqual(AlertRuleInputSchema.parse(alertRuleFromForm(form)), stored);

  const bad = AlertRuleFormSchema.safeParse({
    ...form,
    kind: 'memory-high',
    thresholdPercent: '120',
    minutes: '90',
  });
  assert.equal(bad.success, false);
  const paths = bad.error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
  assert.deepEqual(paths, [
    ['thresholdPercent', 'must be at most 100 %'],
    ['minutes', 'must be at most 60 minutes'],
  ]);
  const noName = AlertRuleFormSchema.safeParse({ ...form, name: '  ' });
  assert.deepEqual(
    noName.error?.issues.map((issue) => issue.path.join('.')),
    ['name'],
  );
});

test('webhook URLs are http or https, without credentials', () => {
  const url = (value: string) => WebhookInputSchema.safeParse({ name: 'x', url: value }).success;
  assert.equal(url('https://hooks.example.com/a?b=c'), true);
  assert.equal(url('http://127.0.0.1:8080/hook'), true);
  assert.equal(url('ftp://example.com/x'), false);
  assert.equal(url('javascript:alert(1)'), false);
  assert.equal(url('not a url'), false);
  assert.equal(url('https://user:pw@example.com/'), false);
  assert.equal(
    WebhookInputSchema.safeParse({ name: 'x', url: 'https://a.example', secretHeaderName: 'Bad Header' })
      .success,
    false,
  );
});
