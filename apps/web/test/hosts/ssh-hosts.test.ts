import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionUser } from '@stevedore/shared';
import { type AgentProcess, startAgent } from '../../../agent/test/harness/agent-process';
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
});
