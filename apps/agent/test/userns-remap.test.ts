import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { removeCgroupParent } from './harness/cgroups.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';

/** A system user with subordinate id ranges, made for this test and removed after it. */
function makeRemapUser(start: number) {
  const name = `stv${randomBytes(3).toString('hex')}`;
  const files = ['/etc/subuid', '/etc/subgid'];
  const saved = files.map((file) => (existsSync(file) ? readFileSync(file, 'utf8') : null));
  const added = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  assert.equal(added.status, 0, String(added.stderr));
  for (const file of files)
    writeFileSync(file, `${existsSync(file) ? readFileSync(file, 'utf8') : ''}${name}:${start}:65536\n`);
  return {
    name,
    remove: () => {
      spawnSync('userdel', [name]);
      files.forEach((file, i) => {
        const original = saved[i];
        if (original === null || original === undefined) spawnSync('rm', ['-f', file]);
        else writeFileSync(file, original);
      });
    },
  };
}

describe('--userns-remap: containers run in a user namespace on remapped layers', () => {
  const start = 300000 + (randomBytes(2).readUInt16BE() % 100) * 65536;
  const cgroupParent = `stevedore-test-${randomBytes(4).toString('hex')}`;
  let user: ReturnType<typeof makeRemapUser>;
  let registry: TestRegistry;
  let agent: AgentProcess;
  let image: string;
  const { cli } = agentCli(() => agent.host);

  before(async () => {
    user = makeRemapUser(start);
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    agent = await startAgent({ config: { 'userns-remap': user.name, 'cgroup-parent': cgroupParent } });
    assert.equal((await cli('pull', '-q', image)).code, 0);
  });
  after(async () => {
    const ids = (await cli('ps', '-aq')).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await cli('rm', '-f', ...ids);
    await agent?.stop();
    removeCgroupParent(cgroupParent);
    await registry?.stop();
    user?.remove();
  });

  test("root inside is the user's first subordinate id outside; files it writes are owned by that id", async () => {
    const ran = await cli(
      'run',
      '-d',
      image,
      'sh',
      '-c',
      'cat /proc/self/uid_map; id -u; touch /made-inside; sleep 300',
    );
    assert.equal(ran.code, 0, ran.stderr);
    const id = ran.stdout.trim();
    assert.match(id, /^[a-f0-9]{64}$/);
    const logs = await cli('logs', id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = (await cli('logs', id)).stdout.trim().split('\n');
    assert.match(lines[0] ?? logs.stdout, new RegExp(`^\\s*0\\s+${start}\\s+65536$`));
    assert.equal(lines[1], '0', 'root inside');
    const pid = (await cli('inspect', '--format', '{{.State.Pid}}', id)).stdout.trim();
    const hostUid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    assert.equal(Number(hostUid), start, 'an unprivileged id on the host');
    const upper = (await cli('inspect', '--format', '{{.GraphDriver.Data.UpperDir}}', id)).stdout.trim();
    assert.ok(
      upper.includes(`${start}.${start}`),
      `the container layer lives in the remapped store: ${upper}`,
    );
    assert.equal(statSync(join(upper, 'made-inside')).uid, start);
    const busybox = spawnSync(
      'find',
      [join(agent.dataRoot, `${start}.${start}`, 'overlay2'), '-name', 'busybox', '-type', 'f'],
      { encoding: 'utf8' },
    )
      .stdout.trim()
      .split('\n')[0]!;
    assert.equal(statSync(busybox).uid, start, 'image files belong to the mapped root');
    const exec = await cli('exec', id, 'sh', '-c', 'id -u; cat /etc/hostname');
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout.split('\n')[0], '0');
    await cli('rm', '-f', id);
  });

  test('--privileged and --network host are refused under user namespaces', async () => {
    for (const flags of [['--privileged'], ['--network', 'host']]) {
      const result = await cli('run', '--rm', ...flags, image, 'true');
      assert.equal(result.code, 125);
      assert.match(result.stderr, /incompatible with user namespaces/);
    }
  });

  test('rmi removes the remapped copies of the layers too', async () => {
    const ids = (await cli('ps', '-aq')).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await cli('rm', '-f', ...ids);
    const store = join(agent.dataRoot, `${start}.${start}`, 'overlay2');
    assert.ok(
      readdirSync(store).some((name) => /^[a-f0-9]{64}$/.test(name)),
      'the copies exist before',
    );
    assert.equal((await cli('rmi', image)).code, 0);
    assert.deepEqual(
      readdirSync(store).filter((name) => name !== 'l'),
      [],
      'no remapped layer left',
    );
    assert.deepEqual(readdirSync(join(store, 'l')), [], 'no short link left');
  });
});
