import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RegistrySettings, RegistrySettingsValue } from '@stevedore/shared';
import { emptySettings, planChange } from './registry-plan';
import { runRollout } from './registry-rollout';

const hub = (mirrors: string[]): RegistrySettings => ({
  ...emptySettings('docker.io'),
  mirrors: mirrors.map((url) => ({ url, ca: null, skipVerify: false, source: 'daemon.json' as const })),
});

/** Hosts whose settings live in a map; `failing` hosts refuse every write. */
function fakeFleet(initial: Record<string, RegistrySettings>, failing: string[] = []) {
  const state = new Map(Object.entries(initial));
  const writes: { hostId: string; kind: string; mirrors: string[] }[] = [];
  return {
    state,
    writes,
    calls: {
      read: async (hostId: string) => {
        const settings = state.get(hostId);
        if (!settings) throw new Error(`${hostId} is offline`);
        return settings;
      },
      write: async (host: { hostId: string }, value: RegistrySettingsValue, audit: { kind: string }) => {
        writes.push({ hostId: host.hostId, kind: audit.kind, mirrors: value.mirrors.map((m) => m.url) });
        if (failing.includes(host.hostId)) throw new Error('daemon.json: registry-mirrors is set by a flag');
        state.set(host.hostId, hub(value.mirrors.map((m) => m.url)));
      },
    },
  };
}

const hosts = ['a', 'b', 'c'].map((id) => ({ hostId: id, hostName: `host-${id}` }));
const change = {
  registry: 'docker.io',
  mirrors: [{ url: 'https://new.example', ca: null, skipVerify: false }],
};

describe('registry rollout', () => {
  test('a plan replaces only the fields given and says whether anything changes', () => {
    const plan = planChange(
      { ...hub(['https://old.example']), insecureReason: 'listed', insecure: true },
      change,
    );
    assert.deepEqual(plan.before.mirrors, ['https://old.example']);
    assert.deepEqual(plan.after.mirrors, ['https://new.example']);
    assert.equal(plan.next.insecure, true, 'insecure was not part of the change: kept');
    assert.equal(plan.changed, true);
    assert.equal(planChange(hub(['https://new.example']), change).changed, false);
  });

  test('every host applied: each has a result, hosts already so are left alone', async () => {
    const fleet = fakeFleet({ a: hub([]), b: hub(['https://new.example']), c: hub(['https://old.example']) });
    const report = await runRollout(hosts, change, fleet.calls, { rollbackOnFailure: true });
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.hosts.map((h) => [h.hostId, h.result]),
      [
        ['a', 'applied'],
        ['b', 'unchanged'],
        ['c', 'applied'],
      ],
    );
    assert.deepEqual(
      fleet.state.get('c')?.mirrors.map((m) => m.url),
      ['https://new.example'],
    );
  });

  test('one host fails: the hosts already changed get their previous settings back', async () => {
    const fleet = fakeFleet(
      { a: hub(['https://old-a.example']), b: hub([]), c: hub(['https://old-c.example']) },
      ['b'],
    );
    const report = await runRollout(hosts, change, fleet.calls, { rollbackOnFailure: true });
    assert.equal(report.ok, false);
    assert.equal(report.rolledBack, true);
    assert.deepEqual(
      report.hosts.map((h) => [h.hostId, h.result]),
      [
        ['a', 'rolled-back'],
        ['b', 'failed'],
        ['c', 'rolled-back'],
      ],
    );
    assert.match(report.hosts[1]?.error ?? '', /set by a flag/);
    assert.deepEqual(
      fleet.state.get('a')?.mirrors.map((m) => m.url),
      ['https://old-a.example'],
    );
    assert.deepEqual(
      fleet.state.get('c')?.mirrors.map((m) => m.url),
      ['https://old-c.example'],
    );
    assert.deepEqual(
      fleet.writes
        .filter((w) => w.kind === 'rollback')
        .map((w) => [w.hostId, w.mirrors])
        .sort(),
      [
        ['a', ['https://old-a.example']],
        ['c', ['https://old-c.example']],
      ],
    );
  });

  test('an unreachable host is a failure; without rollback the others keep the change', async () => {
    const fleet = fakeFleet({ a: hub([]), c: hub([]) });
    const report = await runRollout(hosts, change, fleet.calls, { rollbackOnFailure: false });
    assert.equal(report.ok, false);
    assert.equal(report.rolledBack, false);
    assert.deepEqual(
      report.hosts.map((h) => [h.hostId, h.result]),
      [
        ['a', 'applied'],
        ['b', 'failed'],
        ['c', 'applied'],
      ],
    );
    assert.match(report.hosts[1]?.error ?? '', /offline/);
  });
});
