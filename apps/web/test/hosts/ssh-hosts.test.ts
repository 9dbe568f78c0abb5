import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import type { SessionUser } from '@stevedore/shared';
import { createUser } from '../../src/server/db/repositories/users';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, waitFor } from '../harness/control-plane';
import { type SshHost, startSshHost } from '../harness/ssh-host';

// A second "machine": a real sshd in its own network namespace in front of an agent that listens
// only on its unix socket. The hub reaches it through an SSH stream-local tunnel.
describe('hosts over SSH', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let ssh: SshHost;
  let plane: ReturnType<typeof createControlPlane>;
  let admin: SessionUser;

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    ssh = await startSshHost();
    plane = createControlPlane(t.db);
    const row = await createUser(t.db, { username: 'admin', passwordHash: 'x', role: 'admin' });
    admin = { id: row.id, username: row.username, role: 'admin' };
  });
  after(async () => {
    await plane?.close();
    await ssh?.stop();
    await agent?.stop();
    await t?.close();
  });

  const sshHost = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    transport: 'ssh' as const,
    sshHost: ssh.address,
    sshPort: ssh.port,
    sshUser: ssh.user,
    privateKey: ssh.privateKey,
    socketPath: agent.socketPath,
    ...extra,
  });

  test('adding a host pins its SSH host key; it goes online and serves system.info', async () => {
    const caller = plane.callerAs(admin);
    const tested = await caller.hosts.test(sshHost('remote'));
    assert.equal(tested.DockerRootDir, agent.dataRoot);
    const host = await caller.hosts.create(sshHost('remote'));
    assert.equal(host.transport, 'ssh');
    assert.equal(host.address, `ssh://root@${ssh.address}:22${agent.socketPath}`);
    const row = await t.db.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.equal(row.sshHostKey, ssh.hostKeyFingerprint, 'the key seen on first use is pinned');
    assert.ok(!row.credentialCiphertext?.includes('PRIVATE KEY'), 'the private key is stored encrypted');
    await waitFor(() => plane.hub.status(host.id).state === 'online');
    const info = await caller.hosts.info({ hostId: host.id });
    assert.equal(info.DockerRootDir, agent.dataRoot);
  });

  test('a host key that does not match the pinned fingerprint is refused', async () => {
    const wrong = `SHA256:${'A'.repeat(43)}`;
    await assert.rejects(
      plane.callerAs(admin).hosts.test(sshHost('impostor', { hostKeyFingerprint: wrong })),
      (error: Error) => /host key of .* changed/.test(error.message),
    );
  });

  test('the given fingerprint is accepted when it matches', async () => {
    const info = await plane
      .callerAs(admin)
      .hosts.test(sshHost('pinned', { hostKeyFingerprint: ssh.hostKeyFingerprint }));
    assert.equal(info.DockerRootDir, agent.dataRoot);
  });

  test('a wrong key is refused with the reason', async () => {
    const { privateKey: _unused, ...withoutKey } = sshHost('nokey');
    await assert.rejects(
      plane.callerAs(admin).hosts.test({ ...withoutKey, password: 'not-the-password' }),
      (error: Error) => /SSH to root@.* failed/.test(error.message),
    );
  });

  test('editing the connection keeps the pinned key; a changed key is refused with both fingerprints until an admin accepts it', async () => {
    const caller = plane.callerAs(admin);
    const { id: hostId } = await t.db.host.findUniqueOrThrow({ where: { name: 'remote' } });
    const { name: _name, ...connection } = sshHost('remote');
    const pinned = ssh.hostKeyFingerprint;

    await caller.hosts.update({ hostId, connection });
    assert.equal((await t.db.host.findUniqueOrThrow({ where: { id: hostId } })).sshHostKey, pinned);
    assert.equal((await caller.hosts.get({ hostId })).sshHostKey, pinned, 'the host page shows the pin');

    const rotated = await ssh.rotateHostKey();
    assert.notEqual(rotated, pinned);
    await assert.rejects(caller.hosts.update({ hostId, connection }), (error: Error) => {
      assert.match(error.message, /host key of .* changed/);
      assert.ok(error.message.includes(`pinned ${pinned}`), error.message);
      assert.ok(error.message.includes(`presented ${rotated}`), error.message);
      return true;
    });
    assert.equal((await t.db.host.findUniqueOrThrow({ where: { id: hostId } })).sshHostKey, pinned);
    // The hub's own connection is refused too, and says why. It notices at its next reconnect,
    // which its back-off may put up to 30 s away (MAX_RETRY_DELAY_MS in connect-agent.ts).
    await waitFor(() => (plane.hub.status(hostId).lastError ?? '').includes(`presented ${rotated}`), 45_000);
    assert.notEqual(plane.hub.status(hostId).state, 'online');

    assert.deepEqual(await caller.hosts.checkHostKey({ hostId }), {
      pinned,
      presented: rotated,
      matches: false,
    });
    await assert.rejects(
      caller.hosts.acceptHostKey({ hostId, fingerprint: `SHA256:${'B'.repeat(43)}` }),
      (error: Error) => error.message.includes(`now presents ${rotated}`),
    );
    assert.equal((await t.db.host.findUniqueOrThrow({ where: { id: hostId } })).sshHostKey, pinned);

    const accepted = await caller.hosts.acceptHostKey({ hostId, fingerprint: rotated });
    assert.equal(accepted.sshHostKey, rotated);
    await waitFor(() => plane.hub.status(hostId).state === 'online', 45_000); // its back-off, as above
    const audit = await t.db.auditLog.findMany({
      where: { action: 'host.accept-host-key', hostId },
      orderBy: { at: 'asc' },
    });
    assert.deepEqual(
      audit.map((entry) => [entry.result, JSON.parse(entry.params)]),
      [
        ['error', { previous: pinned, fingerprint: `SHA256:${'B'.repeat(43)}` }],
        ['ok', { previous: pinned, fingerprint: rotated }],
      ],
    );
  });
});
