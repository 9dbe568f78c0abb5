import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InstallAgentInput, InstallProgress, SessionUser } from '@stevedore/shared';
import { createUser } from '../../src/server/db/repositories/users';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, waitFor } from '../harness/control-plane';
import { type SshHost, startSshHost } from '../harness/ssh-host';

// A real sshd in a network namespace stands for a fresh machine; the dashboard installs the
// packaged agent on it over SSH, adds it, and upgrades it in place. (The "machine" shares this
// one's filesystem, so every path is a temporary directory.)
describe('installing the agent over SSH', () => {
  let t: TestDatabase;
  let ssh: SshHost;
  let plane: ReturnType<typeof createControlPlane>;
  let admin: SessionUser;
  let dir: string;
  const paths = () => ({
    // A space and a `$(…)` in the install directory: every script and file must quote it.
    installDir: join(dir, 'opt dir $(touch pwned)'),
    dataRoot: join(dir, 'data'),
    execRoot: join(dir, 'exec'),
    socketPath: join(dir, 'run', 'agent.sock'),
  });
  const sshInput = () => ({
    transport: 'ssh' as const,
    sshHost: ssh.address,
    sshPort: 22,
    sshUser: 'root',
    privateKey: ssh.privateKey,
    socketPath: paths().socketPath,
    hostKeyFingerprint: ssh.hostKeyFingerprint,
  });
  const install = async (input: InstallAgentInput) => {
    const progress: InstallProgress[] = [];
    const { jobId } = await plane.callerAs(admin).hosts.installAgent(input);
    for await (const item of await plane.callerAs(admin).hosts.installProgress({ jobId }))
      progress.push(item);
    return progress;
  };
  const agentPid = () => Number(readFileSync(join(paths().installDir, 'agent.pid'), 'utf8'));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  before(async () => {
    t = await openTestDatabase('sqlite');
    ssh = await startSshHost();
    plane = createControlPlane(t.db);
    const row = await createUser(t.db, { username: 'installer', passwordHash: 'x', role: 'admin' });
    admin = { id: row.id, username: row.username, role: 'admin' };
    dir = mkdtempSync(join(tmpdir(), 'stevedore-install-'));
  });
  after(async () => {
    await plane?.close();
    if (dir && existsSync(join(paths().installDir, 'agent.pid'))) {
      const pid = agentPid();
      if (alive(pid)) process.kill(pid, 'SIGTERM');
      await waitFor(() => !alive(pid), 15_000).catch(() => process.kill(pid, 'SIGKILL'));
    }
    await ssh?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  test('a fresh machine: packages checked, agent shipped and started, then added as a host', async () => {
    const { installDir, dataRoot, execRoot } = paths();
    const progress = await install({ target: sshInput(), installDir, dataRoot, execRoot });
    const steps = [...new Set(progress.flatMap((p) => (p.kind === 'step' ? [p.step] : [])))];
    assert.deepEqual(steps, ['connect', 'preflight', 'packages', 'upload', 'service', 'verify']);
    const done = progress.at(-1);
    assert.equal(done?.kind, 'done');
    assert.equal(done?.kind === 'done' && done.version, '0.1.0');
    // No systemd here: started directly, and the admin is told what that means.
    assert.match(done?.kind === 'done' ? done.warnings.join() : '', /systemd does not run .* after a reboot/);
    assert.ok(existsSync(join(installDir, 'current', 'node')), 'Node.js shipped with the agent');
    assert.equal(
      readFileSync(join(installDir, 'agent.env'), 'utf8'),
      `DATA_ROOT='${dataRoot}'\nEXEC_ROOT='${execRoot}'\nSOCKET='${paths().socketPath}'\n`,
    );
    assert.ok(!existsSync(join(dir, 'pwned')) && !existsSync('/root/pwned'), 'no path was run as a command');
    assert.ok(alive(agentPid()));

    const host = await plane.callerAs(admin).hosts.create({ name: 'fresh', ...sshInput() });
    await waitFor(() => plane.hub.status(host.id).state === 'online');
    const info = await plane.callerAs(admin).hosts.info({ hostId: host.id });
    assert.equal(info.DockerRootDir, dataRoot);
    const audit = (await plane.callerAs(admin).audit.list({ limit: 10 })).entries;
    const entry = audit.find((e) => e.action === 'host.install-agent');
    assert.equal(entry?.result, 'ok');
    assert.ok(!JSON.stringify(audit).includes('PRIVATE KEY'), 'no key in the audit log');
  });

  test('an upgrade of an added host keeps its roots, replaces the process and comes back online', async () => {
    const host = (await plane.callerAs(admin).hosts.list()).find((h) => h.name === 'fresh');
    assert.ok(host);
    const before = agentPid();
    const progress = await install({ target: { hostId: host.id }, installDir: paths().installDir });
    assert.equal(progress.at(-1)?.kind, 'done');
    assert.ok(!alive(before), 'the old agent stopped');
    assert.ok(alive(agentPid()), 'the new agent runs');
    assert.equal(readdirSync(join(paths().installDir, 'releases')).length, 2);
    await waitFor(() => plane.hub.status(host.id).state === 'online', 20_000);
    const info = await plane.callerAs(admin).hosts.info({ hostId: host.id });
    assert.equal(info.DockerRootDir, paths().dataRoot);
  });

  test("an installation's log is its starter's: another admin cannot follow or cancel it", async () => {
    const { jobId } = await plane.callerAs(admin).hosts.installAgent({
      target: { ...sshInput(), socketPath: join(dir, 'elsewhere.sock') },
      installDir: join(dir, 'elsewhere'),
    });
    const row = await createUser(t.db, { username: 'other-admin', passwordHash: 'x', role: 'admin' });
    const other = plane.callerAs({ id: row.id, username: row.username, role: 'admin' });
    await assert.rejects(other.hosts.cancelInstall({ jobId }), /no installation/);
    await assert.rejects(async () => {
      for await (const _ of await other.hosts.installProgress({ jobId })) break;
    }, /no installation/);
    await plane.callerAs(admin).hosts.cancelInstall({ jobId });
    await assert.rejects(async () => {
      for await (const _ of await plane.callerAs(admin).hosts.installProgress({ jobId })) {
      }
    }, /cancelled|aborted|failed/i);
  });

  test('an agent that cannot start is reported with its own words, and the attempt is audited', async () => {
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, 'x');
    const other = join(dir, 'other');
    await assert.rejects(
      install({
        target: { ...sshInput(), socketPath: join(other, 'agent.sock') },
        installDir: join(other, 'opt'),
        dataRoot: blocker,
        execRoot: join(other, 'exec'),
      }),
      (error: Error) => /starting the agent failed .*not-a-directory/s.test(error.message),
    );
    const audit = (await plane.callerAs(admin).audit.list({ limit: 10 })).entries;
    assert.equal(audit.find((e) => e.action === 'host.install-agent')?.result, 'error');
  });
});
