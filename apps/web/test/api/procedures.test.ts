import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import type { Role, SessionUser } from '@stevedore/shared';
import { createUser } from '../../src/server/db/repositories/users';
import type { AgentHub } from '../../src/server/hub/agent-hub';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, waitFor } from '../harness/control-plane';

const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

// Every procedure called directly, as each role, against real services, a real database and a
// real agent behind TLS + token: the server enforces roles, not the UI.
describe('procedures enforce roles on the server', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let hub: AgentHub;
  let plane: ReturnType<typeof createControlPlane>;
  const users = {} as Record<Role, SessionUser>;

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent({ tls: true });
    plane = createControlPlane(t.db);
    hub = plane.hub;
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const row = await createUser(t.db, { username: `${role}-user`, passwordHash: 'x', role });
      users[role] = { id: row.id, username: row.username, role };
    }
  });
  after(async () => {
    await plane?.close();
    await agent?.stop();
    await t?.close();
  });

  const callerAs = (user: SessionUser | null) => plane.callerAs(user);
  const tlsHost = (name: string, token = agent.token!) => ({
    name,
    transport: 'tls' as const,
    url: agent.tcpUrl!,
    token,
    caCert: agent.caCert!,
  });

  test('without a session every protected procedure is refused', async () => {
    const anonymous = callerAs(null);
    await assert.rejects(anonymous.hosts.list(), codeOf('UNAUTHORIZED'));
    await assert.rejects(anonymous.users.list(), codeOf('UNAUTHORIZED'));
    await assert.rejects(anonymous.audit.list({ limit: 10 }), codeOf('UNAUTHORIZED'));
  });

  test('viewers and operators read hosts but cannot add hosts, manage users or read the audit log', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const caller = callerAs(users[role]);
      assert.ok(Array.isArray(await caller.hosts.list()));
      await assert.rejects(caller.hosts.create(tlsHost(`nope-${role}`)), codeOf('FORBIDDEN'));
      await assert.rejects(caller.hosts.test(tlsHost(`nope-${role}`)), codeOf('FORBIDDEN'));
      await assert.rejects(
        caller.users.create({ username: 'x1', password: 'long enough pw', role: 'admin' }),
        codeOf('FORBIDDEN'),
      );
      await assert.rejects(
        caller.users.setRole({ userId: users[role].id, role: 'admin' }),
        codeOf('FORBIDDEN'),
      );
      await assert.rejects(caller.audit.list({ limit: 10 }), codeOf('FORBIDDEN'));
    }
  });

  test('an admin adds a TLS host; it goes online and serves system.info; the token is stored encrypted', async () => {
    const admin = callerAs(users.admin);
    const tested = await admin.hosts.test(tlsHost('edge'));
    assert.equal(tested.DockerRootDir, agent.dataRoot);
    const host = await admin.hosts.create(tlsHost('edge'));
    const row = await t.db.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.ok(row.credentialCiphertext?.startsWith('v2:'), 'sealed bound to the host id');
    assert.ok(!row.credentialCiphertext?.includes(agent.token!), 'the token is not stored in clear');
    await waitFor(() => hub.status(host.id).state === 'online');
    const info = await callerAs(users.viewer).hosts.info({ hostId: host.id });
    assert.equal(info.DockerRootDir, agent.dataRoot);
  });

  test("a credential copied into another host's row does not decrypt; an unbound (v1) one is re-sealed bound at start", async () => {
    const admin = callerAs(users.admin);
    const edge = await t.db.host.findUniqueOrThrow({ where: { name: 'edge' } });
    const other = await admin.hosts.create(tlsHost('edge-copy'));
    await t.db.host.update({
      where: { id: other.id },
      data: { credentialCiphertext: edge.credentialCiphertext },
    });
    await assert.rejects(admin.hosts.update({ hostId: other.id, name: 'edge-moved' }), (error: Error) =>
      /cannot be decrypted.*another host/.test(error.message),
    );

    // As the dashboard sealed credentials before binding them: AES-GCM without associated data.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', plane.secretKey, iv);
    const data = Buffer.concat([cipher.update(agent.token!, 'utf8'), cipher.final()]);
    const unbound = ['v1', iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64')))
      .join(':');
    await t.db.host.update({ where: { id: other.id }, data: { credentialCiphertext: unbound } });
    await plane.services.hosts.connectAll();
    const resealed = await t.db.host.findUniqueOrThrow({ where: { id: other.id } });
    assert.match(resealed.credentialCiphertext ?? '', /^v2:/);
    assert.equal(plane.secrets.decrypt(resealed.credentialCiphertext!, other.id), agent.token);
    await waitFor(() => hub.status(other.id).state === 'online');
    await admin.hosts.remove({ hostId: other.id });
  });

  test('a wrong token is refused with a readable reason, nothing is stored, and the attempt is audited', async () => {
    const admin = callerAs(users.admin);
    await assert.rejects(admin.hosts.create(tlsHost('bad-token', 'x'.repeat(32))), (error: Error) =>
      /refused the token \(401\)/.test(error.message),
    );
    assert.equal(await t.db.host.count({ where: { name: 'bad-token' } }), 0);
    const { entries } = await admin.audit.list({ limit: 20 });
    const attempt = entries.find((e) => e.action === 'host.create' && e.target === 'bad-token');
    assert.equal(attempt?.result, 'error');
    assert.equal(attempt?.username, 'admin-user');
    assert.ok(!JSON.stringify(entries).includes(agent.token!), 'no token in the audit log');
  });

  test('invalid input is refused with a message that says what is allowed', async () => {
    const admin = callerAs(users.admin);
    await assert.rejects(
      admin.hosts.create({ ...tlsHost('plain'), url: 'http://10.1.2.3:2375' }),
      (error: Error) => /https:\/\//.test(error.message),
    );
    await assert.rejects(
      admin.users.create({ username: 'bob', password: 'short', role: 'viewer' }),
      (error: Error) => /at least 10 characters/.test(error.message),
    );
  });

  test('users: an admin creates and re-roles users; the last admin cannot be demoted or removed', async () => {
    const admin = callerAs(users.admin);
    const carol = await admin.users.create({
      username: 'carol',
      password: 'carol password 1',
      role: 'viewer',
    });
    assert.equal((await admin.users.setRole({ userId: carol.id, role: 'operator' })).role, 'operator');
    await assert.rejects(admin.users.setRole({ userId: users.admin.id, role: 'viewer' }), /last admin/);
    await assert.rejects(admin.users.remove({ userId: users.admin.id }), /your own account/);
    await admin.users.remove({ userId: carol.id });
    assert.ok(!(await admin.users.list()).some((u) => u.username === 'carol'));
    const actions = (await admin.audit.list({ limit: 50 })).entries.map((e) => `${e.action}:${e.result}`);
    for (const expected of ['user.create:ok', 'user.set-role:ok', 'user.set-role:error', 'user.remove:ok']) {
      assert.ok(actions.includes(expected), `audit has ${expected}`);
    }
  });
});
