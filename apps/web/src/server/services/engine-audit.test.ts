import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENGINE_ACTOR, type FleetEvent } from '@stevedore/shared';
import pino from 'pino';
import type { AuditEntry } from '../db/repositories/audit';
import { DashboardActionLedger } from './dashboard-actions';
import { EngineAuditRecorder } from './engine-audit';

const ID = 'a'.repeat(64);
let seq = 0;
const event = (action: string, extra: Partial<FleetEvent> = {}): FleetEvent => ({
  id: String(++seq),
  hostId: 'h1',
  hostName: 'box',
  at: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
  timeNano: String(seq),
  type: 'container',
  action,
  actorId: ID,
  actorName: 'web',
  attributes: { name: 'web', image: 'busybox', 'com.example': 'label' },
  ...extra,
});

function recorder(ledger = new DashboardActionLedger()) {
  const written: AuditEntry[] = [];
  const r = new EngineAuditRecorder(
    async (entry) => written.push(entry),
    (e) => ledger.covers(e),
    pino({ level: 'silent' }),
  );
  return { r, written, actions: () => written.map((w) => w.action) };
}

test('a CLI stop (kill, die, stop) is one audit entry by the engine/CLI, a plain kill is one too', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { r, written, actions } = recorder();
  for (const a of ['kill', 'die', 'stop']) r.accept(event(a));
  t.mock.timers.tick(20_000);
  assert.deepEqual(actions(), ['container.stop']);
  assert.equal(written[0]?.username, ENGINE_ACTOR);
  assert.equal(written[0]?.userId, null);
  assert.equal(written[0]?.hostId, 'h1');
  assert.equal(written[0]?.target, ID);
  assert.deepEqual(written[0]?.params, { name: 'web', image: 'busybox' });

  r.accept(event('kill', { attributes: { name: 'web', signal: '9' } }));
  r.accept(event('die'));
  assert.deepEqual(actions(), ['container.stop'], 'a kill waits a moment for a stop that may follow');
  t.mock.timers.tick(15_000);
  assert.deepEqual(actions(), ['container.stop', 'container.kill']);
  assert.equal(written[1]?.params.signal, '9');
});

test('restart folds its stop and start; rm -f folds its kill; run is create + start', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { r, actions } = recorder();
  for (const a of ['kill', 'die', 'stop', 'start', 'restart']) r.accept(event(a));
  for (const a of ['kill', 'die', 'destroy']) r.accept(event(a));
  for (const a of ['create', 'start']) r.accept(event(a, { actorId: 'b'.repeat(64) }));
  r.accept(event('exec_create'));
  r.accept(event('pull', { type: 'image', actorId: 'busybox:latest', actorName: 'busybox:latest' }));
  t.mock.timers.tick(20_000);
  assert.deepEqual(actions().sort(), [
    'container.create',
    'container.remove',
    'container.restart',
    'container.start',
    'image.pull',
  ]);
});

test("the dashboard's own actions are not recorded again; others on the same host are", (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 0;
  const ledger = new DashboardActionLedger(5_000, () => now);
  const { r, actions } = recorder(ledger);
  const release = ledger.claim({ action: 'container.stop', hostId: 'h1', target: ID });
  for (const a of ['kill', 'die']) r.accept(event(a));
  release();
  now = 1_000;
  r.accept(event('stop')); // trails the call, within the grace
  r.accept(event('pause', { actorId: 'c'.repeat(64), actorName: 'other' })); // another container: the CLI
  r.accept(event('stop', { hostId: 'h2' })); // the same id on another host
  now = 10_000;
  r.accept(event('start')); // after the grace: someone else started it
  t.mock.timers.tick(20_000);
  assert.deepEqual(actions().sort(), ['container.pause', 'container.start', 'container.stop']);
});

test('a claim by name covers the container; host and user actions claim nothing', () => {
  const ledger = new DashboardActionLedger(5_000, () => 0);
  ledger.claim({ action: 'container.create', hostId: 'h1', target: 'web' });
  assert.equal(ledger.covers({ hostId: 'h1', type: 'container', actorId: ID, actorName: 'web' }), true);
  assert.equal(ledger.covers({ hostId: 'h1', type: 'volume', actorId: 'data', actorName: 'data' }), true);
  assert.equal(
    ledger.covers({ hostId: 'h1', type: 'container', actorId: 'd'.repeat(64), actorName: 'x' }),
    false,
  );
  const other = new DashboardActionLedger(5_000, () => 0);
  other.claim({ action: 'host.update', hostId: 'h1', target: 'box' });
  assert.equal(other.covers({ hostId: 'h1', type: 'container', actorId: ID, actorName: 'box' }), false);
});
