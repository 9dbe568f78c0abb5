import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthResult } from '@stevedore/shared';
import {
  applyProbeResult,
  type Healthcheck,
  healthSuffix,
  nextProbeDelayMs,
  probeCommand,
  startingHealth,
} from './health-state.js';

const S = 1_000_000_000;
const check: Healthcheck = {
  test: ['CMD-SHELL', 'exit 1'],
  interval: 2 * S,
  timeout: S,
  startPeriod: 10 * S,
  startInterval: S / 2,
  retries: 2,
};
const startedAt = '2026-01-01T00:00:00.000Z';
const at = (seconds: number, exitCode: number, output = ''): HealthResult => ({
  Start: new Date(Date.parse(startedAt) + seconds * 1000).toISOString(),
  End: new Date(Date.parse(startedAt) + seconds * 1000 + 5).toISOString(),
  ExitCode: exitCode,
  Output: output,
});

test('failures inside the start period are not counted while starting; after it, retries of them make it unhealthy', () => {
  let health = startingHealth(undefined);
  health = applyProbeResult(health, at(1, 1), check, startedAt);
  assert.deepEqual([health.Status, health.FailingStreak], ['starting', 0]);
  health = applyProbeResult(health, at(11, 1), check, startedAt);
  assert.deepEqual([health.Status, health.FailingStreak], ['starting', 1]);
  health = applyProbeResult(health, at(13, -1), check, startedAt);
  assert.deepEqual([health.Status, health.FailingStreak], ['unhealthy', 2]);
  health = applyProbeResult(health, at(15, 0), check, startedAt);
  assert.deepEqual([health.Status, health.FailingStreak], ['healthy', 0]);
});

test('once healthy, a failure in the start period counts (the start period only shields "starting")', () => {
  let health = applyProbeResult(startingHealth(undefined), at(1, 0), check, startedAt);
  health = applyProbeResult(health, at(2, 1), check, startedAt);
  assert.deepEqual([health.Status, health.FailingStreak], ['healthy', 1]);
  health = applyProbeResult(health, at(3, 2), check, startedAt);
  assert.deepEqual([health.Status, health.FailingStreak], ['unhealthy', 2]);
});

test('the log keeps the newest five results; a new start keeps the log and resets the rest', () => {
  let health = startingHealth(undefined);
  for (let i = 0; i < 7; i++) health = applyProbeResult(health, at(20 + i, 0, `run ${i}`), check, startedAt);
  assert.deepEqual(
    health.Log.map((entry) => entry.Output),
    ['run 2', 'run 3', 'run 4', 'run 5', 'run 6'],
  );
  const restarted = startingHealth({ ...health, Status: 'unhealthy', FailingStreak: 4 });
  assert.deepEqual([restarted.Status, restarted.FailingStreak, restarted.Log.length], ['starting', 0, 5]);
});

test('probes come every start interval while starting in the start period, else every interval', () => {
  const t0 = Date.parse(startedAt);
  assert.equal(nextProbeDelayMs(check, 'starting', startedAt, t0 + 1000), 500);
  assert.equal(nextProbeDelayMs(check, 'healthy', startedAt, t0 + 1000), 2000);
  assert.equal(nextProbeDelayMs(check, 'starting', startedAt, t0 + 11_000), 2000);
  assert.equal(nextProbeDelayMs({ ...check, startPeriod: 0 }, 'starting', startedAt, t0), 2000);
});

test("the probe's argv and the STATUS suffix are Docker's", () => {
  assert.deepEqual(probeCommand(check), ['/bin/sh', '-c', 'exit 1']);
  assert.deepEqual(probeCommand({ ...check, test: ['CMD', 'true', 'x'] }), ['true', 'x']);
  assert.equal(healthSuffix(undefined), '');
  assert.equal(healthSuffix(startingHealth(undefined)), ' (health: starting)');
  assert.equal(healthSuffix({ Status: 'unhealthy', FailingStreak: 3, Log: [] }), ' (unhealthy)');
});
