import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Role, SessionUser } from '@stevedore/shared';
import { EMPTY_FORM } from '../../src/lib/container-form/values';
import { appRouter } from '../../src/server/api/root';
import { createHost } from '../../src/server/db/repositories/hosts';
import { createUser, setUserHosts } from '../../src/server/db/repositories/users';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane } from '../harness/control-plane';

type Minimum = 'public' | Role;
interface Rule {
  /** The lowest role that may call it. */
  minimum: Minimum;
  /** Operators need a grant for the host in the input. */
  hostScoped?: boolean;
  input?: unknown;
}

const NO_HOST = 'no-such-host';
const NO_SOCKET = { transport: 'unix', socketPath: '/nonexistent/stevedore-test.sock' } as const;

/**
 * Who may call what: one line per procedure of the dashboard's API. The test below fails when a
 * procedure is added without a line here, so a new procedure cannot ship without a decided policy.
 * Inputs are valid but point at nothing, so an allowed call fails harmlessly (NOT_FOUND,
 * UNAVAILABLE) instead of changing anything.
 */
const policy = (grantedHost: string): Record<string, Rule> => ({
  'auth.status': { minimum: 'public' },
  'auth.setup': {
    minimum: 'public',
    input: { username: 'late-admin', password: 'late admin password', setupCode: 'AAAA-AAAA-AAAA-AAAA' },
  },
  'auth.login': { minimum: 'public', input: { username: 'nobody', password: 'wrong password' } },
  'auth.logout': { minimum: 'viewer' },
  'alerts.panel': { minimum: 'viewer' },
  'alerts.watchPanel': { minimum: 'viewer' },
  'alerts.list': { minimum: 'viewer', input: {} },
  'alerts.rules': { minimum: 'viewer' },
  'alerts.createRule': {
    minimum: 'admin',
    input: { name: 'policy-rule', condition: { kind: 'unhealthy' }, hostIds: [NO_HOST] },
  },
  'alerts.updateRule': {
    minimum: 'admin',
    input: { id: 'no-such-rule', name: 'policy-rule', condition: { kind: 'unhealthy' } },
  },
  'alerts.deleteRule': { minimum: 'admin', input: { id: 'no-such-rule' } },
  'alerts.webhooks': { minimum: 'viewer' },
  'alerts.deliveries': { minimum: 'viewer', input: { id: 'no-such-webhook' } },
  'alerts.createWebhook': {
    minimum: 'admin',
    input: { name: 'policy-hook', url: 'http://127.0.0.1:9/policy', enabled: false },
  },
  'alerts.updateWebhook': {
    minimum: 'admin',
    input: { id: 'no-such-webhook', name: 'policy-hook', url: 'http://127.0.0.1:9/policy' },
  },
  'alerts.deleteWebhook': { minimum: 'admin', input: { id: 'no-such-webhook' } },
  'hosts.list': { minimum: 'viewer' },
  'hosts.fleet': { minimum: 'viewer' },
  'hosts.watchFleet': { minimum: 'viewer' },
  'hosts.watchStatus': { minimum: 'viewer' },
  'hosts.get': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'hosts.access': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'hosts.info': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'hosts.images': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'images.fleet': { minimum: 'viewer' },
  'images.list': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'images.history': { minimum: 'viewer', input: { hostId: NO_HOST, image: 'nothing-here' } },
  'images.inspect': { minimum: 'viewer', input: { hostId: NO_HOST, image: 'nothing-here' } },
  'images.prunePreview': { minimum: 'viewer', input: { hostId: NO_HOST, all: false } },
  'images.logins': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'images.pull': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, reference: '127.0.0.1:9/nothing:here' },
  },
  'images.push': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, reference: '127.0.0.1:9/nothing:here' },
  },
  'images.remove': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, image: 'nothing-here', force: false },
  },
  'images.tag': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, source: 'nothing-here', target: 'policy/tag:1' },
  },
  'images.prune': { minimum: 'operator', hostScoped: true, input: { hostId: grantedHost, all: false } },
  'images.login': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, serverAddress: '127.0.0.1:9', username: 'policy', password: 'policy' },
  },
  'images.logout': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, serverAddress: '127.0.0.1:9' },
  },
  'hosts.test': { minimum: 'admin', input: NO_SOCKET },
  'hosts.create': { minimum: 'admin', input: { name: 'policy-new', ...NO_SOCKET } },
  'hosts.update': { minimum: 'admin', input: { hostId: NO_HOST, labels: { a: 'b' } } },
  'hosts.remove': { minimum: 'admin', input: { hostId: NO_HOST } },
  'hosts.checkHostKey': { minimum: 'admin', input: { hostId: NO_HOST } },
  'hosts.acceptHostKey': {
    minimum: 'admin',
    input: { hostId: NO_HOST, fingerprint: `SHA256:${'A'.repeat(43)}` },
  },
  'hosts.installAgent': { minimum: 'admin', input: { target: { hostId: NO_HOST } } },
  'hosts.installProgress': { minimum: 'admin', input: { jobId: '00000000-0000-4000-8000-000000000000' } },
  'hosts.cancelInstall': { minimum: 'admin', input: { jobId: '00000000-0000-4000-8000-000000000000' } },
  'containers.list': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'containers.usage.history': {
    minimum: 'viewer',
    input: { hostId: NO_HOST, container: 'nothing-here', range: '5m' },
  },
  'containers.act': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, container: 'nothing-here', action: 'stop' },
  },
  'containers.fleet.watch': { minimum: 'viewer', input: {} },
  'containers.fleet.firstScreen': { minimum: 'viewer', input: {} },
  'containers.fleet.operable': { minimum: 'viewer' },
  'containers.fleet.window': {
    minimum: 'viewer',
    input: { windowId: 'policy-window', view: { start: 0, end: 10 } },
  },
  'containers.fleet.moveWindow': {
    minimum: 'viewer',
    input: { windowId: 'policy-window', view: { start: 0, end: 10 } },
  },
  'containers.fleet.matching': { minimum: 'viewer', input: {} },
  'containers.fleet.bulk': {
    minimum: 'operator',
    input: { action: 'stop', targets: [{ hostId: grantedHost, container: 'nothing-here' }] },
  },
  'containers.details.inspect': { minimum: 'viewer', input: { hostId: NO_HOST, container: 'nothing-here' } },
  'containers.details.top': { minimum: 'viewer', input: { hostId: NO_HOST, container: 'nothing-here' } },
  'containers.details.events': { minimum: 'viewer', input: { hostId: NO_HOST, container: 'nothing-here' } },
  'containers.details.kill': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, container: 'nothing-here', signal: 'SIGTERM' },
  },
  'containers.details.rename': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, container: 'nothing-here', name: 'renamed' },
  },
  'containers.details.remove': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, container: 'nothing-here' },
  },
  'containers.console.open': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, container: 'nothing-here', mode: 'exec' },
  },
  'containers.console.write': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, sessionId: '00000000-0000-4000-8000-000000000000', data: '' },
  },
  'containers.console.resize': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, sessionId: '00000000-0000-4000-8000-000000000000', rows: 24, cols: 80 },
  },
  'containers.logs.page': { minimum: 'viewer', input: { hostId: NO_HOST, container: 'nothing-here' } },
  'containers.logs.search': {
    minimum: 'viewer',
    input: {
      hostId: NO_HOST,
      container: 'nothing-here',
      query: { text: 'x' },
      from: 'end',
      direction: 'previous',
    },
  },
  'containers.logs.count': {
    minimum: 'viewer',
    input: { hostId: NO_HOST, container: 'nothing-here', query: { text: 'x' } },
  },
  'containers.logs.follow': {
    minimum: 'viewer',
    input: { hostId: NO_HOST, container: 'nothing-here', from: 'end' },
  },
  'containers.form.options': { minimum: 'operator', hostScoped: true, input: { hostId: grantedHost } },
  'containers.form.template': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, container: 'nothing-here', purpose: 'edit' },
  },
  'containers.form.create': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, values: { ...EMPTY_FORM, image: 'busybox:latest' } },
  },
  'containers.form.applyEdit': {
    minimum: 'operator',
    hostScoped: true,
    input: {
      hostId: grantedHost,
      container: 'nothing-here',
      values: { ...EMPTY_FORM, image: 'busybox:latest' },
    },
  },
  'containers.limits.get': { minimum: 'viewer', input: { hostId: NO_HOST, container: 'nothing-here' } },
  'containers.limits.update': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, container: 'nothing-here', changes: { Memory: 64 * 1024 * 1024 } },
  },
  'containers.limits.recommend': {
    minimum: 'viewer',
    input: { hostId: NO_HOST, container: 'nothing-here', range: '1h' },
  },
  'events.list': { minimum: 'viewer', input: { limit: 5 } },
  'events.watch': { minimum: 'viewer', input: {} },
  'users.list': { minimum: 'admin' },
  'users.create': {
    minimum: 'admin',
    input: { username: 'policy-user', password: 'policy password 1', role: 'viewer' },
  },
  'users.setRole': { minimum: 'admin', input: { userId: 'no-such-user', role: 'viewer' } },
  'users.setHosts': { minimum: 'admin', input: { userId: 'no-such-user', hostIds: [] } },
  'users.remove': { minimum: 'admin', input: { userId: 'no-such-user' } },
  'audit.list': { minimum: 'admin', input: { limit: 5 } },
  'registries.list': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'registries.health': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'registries.recentPulls': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'registries.probe': { minimum: 'operator', hostScoped: true, input: { hostId: grantedHost } },
  'registries.set': {
    minimum: 'admin',
    input: { hostId: NO_HOST, settings: { registry: 'docker.io', mirrors: [], insecure: false, ca: null } },
  },
  'registries.preview': {
    minimum: 'viewer',
    input: { target: { kind: 'hosts', hostIds: [NO_HOST] }, change: { registry: 'docker.io', mirrors: [] } },
  },
  'registries.rollout': {
    minimum: 'admin',
    input: { target: { kind: 'hosts', hostIds: [NO_HOST] }, change: { registry: 'docker.io', mirrors: [] } },
  },
  'networks.list': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'networks.inspect': { minimum: 'viewer', input: { hostId: NO_HOST, network: 'nothing-here' } },
  'networks.prunePreview': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'networks.create': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, network: { Name: 'policy-net' } },
  },
  'networks.remove': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, network: 'nothing-here' },
  },
  'networks.connect': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, network: 'nothing-here', container: 'nothing-here' },
  },
  'networks.disconnect': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, network: 'nothing-here', container: 'nothing-here' },
  },
  'networks.prune': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, networks: ['nothing-here'] },
  },
  'volumes.list': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'volumes.sizes': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'volumes.inspect': { minimum: 'viewer', input: { hostId: NO_HOST, name: 'nothing-here' } },
  'volumes.prunePreview': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'volumes.create': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, volume: { Name: 'policy-volume' } },
  },
  'volumes.remove': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, name: 'nothing-here' },
  },
  'volumes.prune': {
    minimum: 'operator',
    hostScoped: true,
    input: { hostId: grantedHost, volumes: ['nothing-here'] },
  },
  'presets.list': { minimum: 'viewer' },
  'presets.get': { minimum: 'viewer', input: { presetId: 'no-such-preset' } },
  'presets.create': {
    minimum: 'admin',
    input: { name: 'policy-preset', limits: { Memory: 64 * 1024 * 1024 } },
  },
  'presets.update': { minimum: 'admin', input: { presetId: 'no-such-preset', description: 'x' } },
  'presets.delete': { minimum: 'admin', input: { presetId: 'no-such-preset' } },
  'presets.preview': {
    minimum: 'viewer',
    input: { presetId: 'no-such-preset', target: { kind: 'labels', selector: 'tier=web' } },
  },
  'presets.rollout': {
    minimum: 'operator',
    input: { presetId: 'no-such-preset', target: { kind: 'labels', selector: 'tier=web' } },
  },
  'presets.rolloutStatus': { minimum: 'viewer', input: { rolloutId: 'no-such-rollout' } },
  'presets.rollouts': { minimum: 'viewer', input: { presetId: 'no-such-preset' } },
  'presets.rollback': { minimum: 'operator', input: { rolloutId: 'no-such-rollout' } },
  'presets.drift': { minimum: 'viewer', input: { presetId: 'no-such-preset' } },
  'disk.overview': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'disk.checkTarget': { minimum: 'viewer', input: { hostId: NO_HOST, target: '/srv/new-root' } },
  'disk.migration': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'disk.startMigration': { minimum: 'admin', input: { hostId: NO_HOST, target: '/srv/new-root' } },
  'disk.cancelMigration': { minimum: 'admin', input: { hostId: NO_HOST } },
  'disk.logRotation': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'disk.setLogRotation': { minimum: 'admin', input: { hostId: NO_HOST, maxSize: '10m', maxFile: 3 } },
  'disk.prunePolicy': { minimum: 'viewer', input: { hostId: NO_HOST } },
  'disk.savePrunePolicy': {
    minimum: 'admin',
    input: {
      hostId: NO_HOST,
      enabled: false,
      danglingImagesDays: 7,
      stoppedContainersDays: null,
      unusedVolumes: false,
      intervalHours: 24,
    },
  },
  'disk.previewPrune': {
    minimum: 'viewer',
    input: {
      hostId: NO_HOST,
      enabled: false,
      danglingImagesDays: 7,
      stoppedContainersDays: null,
      unusedVolumes: false,
      intervalHours: 24,
    },
  },
  'disk.runPrune': { minimum: 'admin', input: { hostId: NO_HOST } },
  'disk.pruneRuns': { minimum: 'viewer', input: { hostId: NO_HOST } },
});

const rank: Record<Minimum, number> = { public: -1, viewer: 0, operator: 1, admin: 2 };
/** The access checks' own refusals (a wrong password is UNAUTHORIZED too, but not one of these). */
function accessRefusal(error: unknown): 'UNAUTHORIZED' | 'FORBIDDEN' | null {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'UNAUTHORIZED' && message === 'log in first') return code;
  if (code === 'FORBIDDEN') return code;
  return null;
}

describe('every procedure enforces its role on the server', () => {
  let t: TestDatabase;
  let plane: ReturnType<typeof createControlPlane>;
  let grantedHost: string;
  const users = {} as Record<Role | 'operatorWithoutGrant', SessionUser>;

  before(async () => {
    t = await openTestDatabase('sqlite');
    plane = createControlPlane(t.db);
    // A host nobody can reach: allowed calls on it fail with UNAVAILABLE, after the access check.
    grantedHost = (
      await createHost(t.db, {
        name: 'granted',
        ...{ transport: 'unix', address: 'unix:///nonexistent.sock' },
      })
    ).id;
    const make = async (username: string, role: Role) => {
      const row = await createUser(t.db, { username, passwordHash: 'x', role });
      return { id: row.id, username: row.username, role };
    };
    users.admin = await make('policy-admin', 'admin');
    users.viewer = await make('policy-viewer', 'viewer');
    users.operator = await make('policy-operator', 'operator');
    users.operatorWithoutGrant = await make('policy-operator-2', 'operator');
    await setUserHosts(t.db, users.operator.id, [grantedHost]);
  });
  after(async () => {
    await plane?.close();
    await t?.close();
  });

  test('the policy table names exactly the procedures the API has', () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    assert.deepEqual(procedures, Object.keys(policy('x')).sort());
  });

  test('each procedure admits the roles at or above its minimum and refuses the others', async () => {
    const rules = policy(grantedHost);
    const callers = [
      { who: 'anonymous', user: null, rank: -1, granted: false },
      { who: 'viewer', user: users.viewer, rank: 0, granted: false },
      { who: 'operator without grant', user: users.operatorWithoutGrant, rank: 1, granted: false },
      { who: 'operator with grant', user: users.operator, rank: 1, granted: true },
      { who: 'admin', user: users.admin, rank: 2, granted: true },
    ];
    for (const [path, rule] of Object.entries(rules)) {
      for (const caller of callers) {
        const call = path
          .split('.')
          .reduce<unknown>(
            (node, key) => (node as Record<string, unknown>)[key],
            plane.callerAs(caller.user),
          ) as (input: unknown) => Promise<unknown>;
        const allowed = caller.rank >= rank[rule.minimum] && (!rule.hostScoped || caller.granted);
        const outcome = await call(rule.input).then(
          () => 'passed',
          (error: unknown) => accessRefusal(error) ?? 'passed the access check, then failed',
        );
        const refusal = caller.user === null ? 'UNAUTHORIZED' : 'FORBIDDEN';
        if (allowed) {
          assert.ok(outcome.startsWith('passed'), `${path} as ${caller.who}: refused with ${outcome}`);
        } else {
          assert.equal(outcome, refusal, `${path} as ${caller.who}`);
        }
      }
    }
  });
});
