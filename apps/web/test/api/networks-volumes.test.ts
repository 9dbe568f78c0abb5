import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import type { Role, SessionUser } from '@stevedore/shared';
import { listAudit } from '../../src/server/db/repositories/audit';
import { createUser, setUserHosts } from '../../src/server/db/repositories/users';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, registerAgentHost, usersByRole } from '../harness/control-plane';

const NETWORK = 'nv-net';
const RUNNING = 'nv-web';
const VOLUME = 'nv-data';
const USER_OF_VOLUME = 'nv-volume-user';
const SPARE_VOLUME = 'nv-spare';

// networks.* and volumes.* against a real agent: what the Networks and Volumes tabs do, with the
// engine's refusals passed through and every change in the audit log.
describe('networks and volumes procedures', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let registry: TestRegistry;
  let plane: ReturnType<typeof createControlPlane>;
  let hostId: string;
  let image: string;
  // A /24 of its own, so agents of other test files running now do not collide with it.
  const subnet = `10.${randomInt(200, 250)}.${randomInt(0, 255)}`;
  let users: Record<Role, SessionUser>;
  const as = (role: Role) => plane.callerAs(users[role]);
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', agent.host, ...args]);
    assert.equal(result.code, 0, `stevedore ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    await cli('pull', '-q', image);
    plane = createControlPlane(t.db);
    users = await usersByRole(t.db, 'nv', ['admin', 'operator', 'viewer']);
    hostId = await registerAgentHost(plane, users.admin, agent, 'box', {});
    await setUserHosts(t.db, users.operator.id, [hostId]);
  });
  after(async () => {
    // Whatever a failed test left behind; each step says what it could not undo.
    for (const container of [RUNNING, USER_OF_VOLUME]) {
      const result = await runCli(['-H', agent.host, 'rm', '-f', container]);
      if (result.code !== 0 && !/No such container/i.test(result.stderr)) console.error(result.stderr);
    }
    for (const [kind, name] of [
      ['network', NETWORK],
      ['volume', VOLUME],
      ['volume', SPARE_VOLUME],
    ] as const) {
      const result = await runCli(['-H', agent.host, kind, 'rm', name]);
      if (result.code !== 0 && !/not found|no such/i.test(result.stderr)) console.error(result.stderr);
    }
    await plane?.close();
    await registry?.stop();
    await agent?.stop();
    await t?.close();
  });

  test('a network: created with its subnet, a running container connected, inspected with its address, disconnected, removed', async () => {
    const operator = as('operator').networks;
    const { id } = await operator.create({
      hostId,
      network: { Name: NETWORK, Subnet: `${subnet}.0/24`, Gateway: `${subnet}.1`, Labels: { team: 'nv' } },
    });
    const listed = (await as('viewer').networks.list({ hostId })).find((row) => row.network.Id === id);
    assert.ok(listed, 'the new network is listed');
    assert.deepEqual(listed.network.IPAM.Config, [{ Subnet: `${subnet}.0/24`, Gateway: `${subnet}.1` }]);
    assert.equal(listed.builtIn, false);
    assert.deepEqual(listed.members, []);

    await cli('run', '-d', '--name', RUNNING, image, 'sh', '-c', 'while :; do sleep 1; done');
    await operator.connect({
      hostId,
      network: NETWORK,
      container: RUNNING,
      Aliases: ['web'],
      IPv4Address: `${subnet}.40`,
    });
    const inspected = await as('viewer').networks.inspect({ hostId, network: NETWORK });
    assert.deepEqual(
      inspected.members.map((member) => [
        member.name,
        member.running,
        member.ipv4Address,
        member.aliases.includes('web'),
      ]),
      [[RUNNING, true, `${subnet}.40/24`, true]],
    );
    // The container sees the same address on its new interface.
    const addresses = await cli('exec', RUNNING, 'ip', 'addr');
    assert.ok(addresses.includes(`inet ${subnet}.40/24`), addresses);

    // Removing it while a container is on it: the engine's refusal, with its reason, reaches the caller.
    await assert.rejects(operator.remove({ hostId, network: NETWORK }), (error: Error) => {
      assert.match(error.message, /has active endpoints \(1 container\)/);
      assert.equal((error as { code?: string }).code, 'CONFLICT');
      return true;
    });
    // The pre-defined bridge is never removable.
    await assert.rejects(as('admin').networks.remove({ hostId, network: 'bridge' }), /pre-defined network/);
    // A stopped member still counts (it keeps its place), and the prune preview leaves the network alone.
    await cli('stop', '-t', '1', RUNNING);
    const stopped = await as('viewer').networks.inspect({ hostId, network: NETWORK });
    assert.deepEqual(
      stopped.members.map((member) => [member.name, member.running]),
      [[RUNNING, false]],
    );
    assert.ok(!(await as('viewer').networks.prunePreview({ hostId })).networks.some((n) => n.id === id));
    await cli('start', RUNNING);

    await operator.disconnect({ hostId, network: NETWORK, container: RUNNING });
    assert.deepEqual((await as('viewer').networks.inspect({ hostId, network: NETWORK })).members, []);
    const preview = await as('viewer').networks.prunePreview({ hostId });
    assert.deepEqual(
      preview.networks.map((n) => n.name),
      [NETWORK],
    );
    await operator.remove({ hostId, network: NETWORK });
    assert.ok(!(await as('viewer').networks.list({ hostId })).some((row) => row.network.Id === id));

    const audit = (await listAudit(t.db, { limit: 20 })).filter((entry) =>
      entry.action.startsWith('network.'),
    );
    const summary = audit.map((entry) => `${entry.action} ${entry.target} ${entry.result}`).reverse();
    assert.deepEqual(summary, [
      `network.create ${NETWORK} ok`,
      `network.connect ${NETWORK} ok`,
      `network.remove ${NETWORK} error`,
      `network.remove bridge error`,
      `network.disconnect ${NETWORK} ok`,
      `network.remove ${NETWORK} ok`,
    ]);
    const params = (action: string) =>
      JSON.parse(audit.find((entry) => entry.action === action)?.params ?? '{}');
    assert.deepEqual(params('network.connect'), {
      container: RUNNING,
      aliases: ['web'],
      ipv4Address: `${subnet}.40`,
    });
    assert.equal(params('network.create').Subnet, `${subnet}.0/24`);
    assert.deepEqual(params('network.create').Labels, { team: 'nv' });
  });

  test('a volume: created with labels, listed with who uses it and its size, refused while used, pruned from its preview', async () => {
    const operator = as('operator').volumes;
    const created = await operator.create({
      hostId,
      volume: { Name: VOLUME, Labels: { backup: 'nightly' } },
    });
    assert.equal(created.Name, VOLUME);
    await operator.create({ hostId, volume: { Name: SPARE_VOLUME } });
    await cli(
      'run',
      '-d',
      '--name',
      USER_OF_VOLUME,
      '--network',
      'none',
      '-v',
      `${VOLUME}:/data`,
      image,
      'sh',
      '-c',
      'head -c 1048576 /dev/zero > /data/blob; while :; do sleep 1; done',
    );
    const row = (await as('viewer').volumes.list({ hostId })).find((r) => r.volume.Name === VOLUME);
    assert.deepEqual(row?.volume.Labels, { backup: 'nightly' });
    assert.deepEqual(
      row?.usedBy.map((user) => [user.name, user.destination]),
      [[USER_OF_VOLUME, '/data']],
    );
    let sizes = await as('viewer').volumes.sizes({ hostId });
    const deadline = Date.now() + 10_000;
    while ((sizes[VOLUME] ?? 0) < 1024 * 1024 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      sizes = await as('viewer').volumes.sizes({ hostId });
    }
    assert.ok((sizes[VOLUME] ?? 0) >= 1024 * 1024, `size of ${VOLUME}: ${sizes[VOLUME]}`);

    // In use: refused, forced or not, and the volume and its data stay.
    for (const force of [false, true]) {
      await assert.rejects(operator.remove({ hostId, name: VOLUME, force }), (error: Error) => {
        assert.match(error.message, /volume is in use/);
        return true;
      });
    }
    assert.equal((await as('viewer').volumes.inspect({ hostId, name: VOLUME })).usedBy.length, 1);

    // The preview names only the unused one; pruning removes exactly the previewed list.
    const preview = await as('viewer').volumes.prunePreview({ hostId });
    assert.deepEqual(
      preview.volumes.map((volume) => volume.name),
      [SPARE_VOLUME],
    );
    const outcome = await operator.prune({ hostId, volumes: [SPARE_VOLUME, VOLUME] });
    assert.deepEqual(outcome.removed, [SPARE_VOLUME]);
    assert.deepEqual(
      outcome.kept.map((kept) => kept.name),
      [VOLUME],
    );
    assert.match(outcome.kept[0]?.reason ?? '', /in use/);

    await cli('rm', '-f', USER_OF_VOLUME);
    await operator.remove({ hostId, name: VOLUME });
    assert.ok(!(await as('viewer').volumes.list({ hostId })).some((r) => r.volume.Name === VOLUME));
    const audit = (await listAudit(t.db, { limit: 20 })).filter((entry) =>
      entry.action.startsWith('volume.'),
    );
    assert.deepEqual(
      audit.map((entry) => `${entry.action} ${entry.target ?? ''} ${entry.result}`).reverse(),
      [
        `volume.create ${VOLUME} ok`,
        `volume.create ${SPARE_VOLUME} ok`,
        `volume.remove ${VOLUME} error`,
        `volume.remove ${VOLUME} error`,
        'volume.prune  ok',
        `volume.remove ${VOLUME} ok`,
      ],
    );
  });

  test('viewers and operators without a grant change nothing', async () => {
    await assert.rejects(
      as('viewer').networks.create({ hostId, network: { Name: 'nv-no' } }),
      /this needs the operator role/,
    );
    await assert.rejects(as('viewer').volumes.create({ hostId, volume: { Name: 'nv-no' } }), /operator role/);
    const row = await createUser(t.db, { username: 'nv-op2', passwordHash: 'x', role: 'operator' });
    const ungranted = plane.callerAs({ id: row.id, username: row.username, role: 'operator' });
    await assert.rejects(
      ungranted.volumes.create({ hostId, volume: { Name: 'nv-no' } }),
      /may not operate host/,
    );
    assert.ok(!(await as('viewer').volumes.list({ hostId })).some((r) => r.volume.Name === 'nv-no'));
    assert.ok(!(await as('viewer').networks.list({ hostId })).some((r) => r.network.Name === 'nv-no'));
  });
});
