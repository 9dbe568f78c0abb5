import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Alert, WebhookPayloadSchema } from '@stevedore/shared';
import { delivered, retryDelayMs, webhookPayload } from './webhook-payload';

test('retries back off exponentially up to a ceiling, then stop', () => {
  const policy = { attempts: 5, backoffMs: 1_000, maxBackoffMs: 5_000, timeoutMs: 100 };
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, policy)),
    [1_000, 2_000, 4_000, 5_000, null],
  );
  assert.equal(retryDelayMs(1, { ...policy, attempts: 1 }), null);
});

test('only 2xx answers count as delivered', () => {
  assert.deepEqual([200, 204, 299, 301, 400, 500].map(delivered), [true, true, true, false, false, false]);
});

test('the payload names the rule, the target, the transition and the times', () => {
  const alert: Alert = {
    id: 'a1',
    ruleId: 'r1',
    ruleName: 'OOM',
    kind: 'oom',
    target: { hostId: 'h1', hostName: 'box', containerId: 'c1', containerName: 'web' },
    state: 'resolved',
    firedAt: '2026-01-01T00:00:00.000Z',
    lastSeenAt: '2026-01-01T00:01:00.000Z',
    resolvedAt: '2026-01-01T00:11:00.000Z',
    occurrences: 2,
    summary: 'web was killed: out of memory',
    details: { resolution: 'no OOM kill for 10 min' },
  };
  const payload = webhookPayload(
    alert,
    { id: 'r1', name: 'OOM', condition: { kind: 'oom', clearAfterMinutes: 10 } },
    'resolved',
    new Date('2026-01-01T00:11:01.000Z'),
  );
  assert.deepEqual(WebhookPayloadSchema.parse(payload), payload);
  assert.equal(payload.event, 'resolved');
  assert.equal(payload.target.containerName, 'web');
  assert.equal(payload.alert.resolvedAt, '2026-01-01T00:11:00.000Z');
  assert.equal(payload.sentAt, '2026-01-01T00:11:01.000Z');
});
