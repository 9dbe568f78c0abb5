import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import type { Role, SessionUser } from '@stevedore/shared';
import pino from 'pino';
import { inspectToCreate } from '../../src/lib/container-form/from-inspect';
import { EMPTY_FORM } from '../../src/lib/container-form/values';
import { listAudit } from '../../src/server/db/repositories/audit';
import { renewRecreate, saveRecreatePlan } from '../../src/server/db/repositories/recreates';
import { type AgentCaller, recreateContainer } from '../../src/server/services/container-recreate';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, registerAgentHost, usersByRole } from '../harness/control-plane';

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

// The form's procedures against a real agent: roles, live edits, and a recreate that keeps volumes
// and, when the new container cannot start, leaves the old one exactly as it was.
describe('container form procedures', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let registry: TestRegistry;
  let direct: AgentConnection;
  let plane: ReturnType<typeof createControlPlane>;
  let hostId: string;
  let image: string;
  let users: Record<Role, SessionUser>;
  const as = (role: Role) => plane.callerAs(users[role]).containers.form;
  const made: string[] = [];
  const inspect = (ref: string) => direct.client.containers.inspect.query({ container: ref });
  const names = async () =>
    (await direct.client.containers.list.query({ all: true })).map((c) =>
      (c.Names[0] ?? '').replace(/^\//, ''),
    );

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    const pulled = await runCli(['-H', agent.host, 'pull', '-q', image]);
    assert.equal(pulled.code, 0, pulled.stderr);
    direct = await connectAgentOnce({ host: agent.host });
    // Running recreates renew their journal row often; one not renewed for 1.5 s was abandoned.
    plane = createControlPlane(t.db, {
      recreateTiming: { heartbeatMs: 50, abandonedAfterMs: 1_500, sweepMs: 200 },
    });
    users = await usersByRole(t.db, 'cf', ['admin', 'operator', 'viewer']);
    hostId = await registerAgentHost(plane, users.admin, agent, 'box', {});
  });
  after(async () => {
    for (const name of [...made, ...(await names().catch(() => []))]) {
      await direct?.client.containers.remove
        .mutate({ container: name, force: true, volumes: true })
        .catch(() => {
          // Already gone (a recreate replaced it): nothing to clean.
        });
    }
    for (const network of ['cf-extra', 'cf-fixed']) {
      await direct?.client.networks.remove.mutate({ network }).catch(() => {
        // Never made (an earlier failure): nothing to clean.
      });
    }
    await plane?.close();
    await direct?.close();
    await registry?.stop();
    await agent?.stop();
    await t?.close();
  });

  test('viewers and operators without a grant are refused; nothing is created', async () => {
    const values = { ...EMPTY_FORM, image, name: 'cf-refused' };
    await assert.rejects(as('viewer').create({ hostId, values }), /operator role/);
    await assert.rejects(as('operator').create({ hostId, values }), /may not operate host/);
    assert.ok(!(await names()).includes('cf-refused'));
  });

  test('invalid values are refused by the server with the field named', async () => {
    await assert.rejects(
      as('admin').create({ hostId, values: { ...EMPTY_FORM, image, memory: '12Q' } }),
      (error: Error) => {
        // The caller sees the ZodError (the HTTP edge words it as "values.memory: …").
        assert.match(error.message, /"values",\s*"memory"[\s\S]*invalid size \\"12Q\\"/);
        return true;
      },
    );
  });

  test('an edit of limits and the name applies live: same container, audited with what changed', async () => {
    const created = await as('admin').create({
      hostId,
      values: { ...EMPTY_FORM, image, name: 'cf-live', command: 'sleep 1000', memory: '32m' },
    });
    made.push(created.id);
    const template = await as('admin').template({ hostId, container: 'cf-live', purpose: 'edit' });
    assert.equal(template.values.memory, '32m');
    const result = await as('admin').applyEdit({
      hostId,
      container: created.id,
      values: { ...template.values, memory: '64m', name: 'cf-live-2' },
    });
    assert.equal(result.recreated, false);
    assert.equal(result.id, created.id);
    const after = await inspect(created.id);
    assert.equal(after.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(after.Name, '/cf-live-2');
    assert.equal(after.State.Running, true);
    const [entry] = await listAudit(t.db, { limit: 1 });
    assert.equal(entry?.action, 'container.update');
    assert.deepEqual(JSON.parse(entry?.params ?? '{}').changed, ['name', 'memory']);
  });

  test('a recreate keeps anonymous volumes (by name) with their data, and networks joined later', async () => {
    const created = await as('admin').create({
      hostId,
      values: {
        ...EMPTY_FORM,
        image,
        name: 'cf-vol',
        command: `sh -c 'echo kept > /anon/file; sleep 1000'`,
        volumes: [{ source: '', target: '/anon', readOnly: false }],
      },
    });
    made.push(created.id);
    await direct.client.networks.create.mutate({ Name: 'cf-extra' });
    await direct.client.networks.connect.mutate({
      network: 'cf-extra',
      container: created.id,
      Aliases: ['extra-alias'],
    });
    const before = await inspect(created.id);
    const volume = before.Mounts.find((m) => m.Destination === '/anon')?.Name;
    assert.ok(volume);
    const template = await as('admin').template({ hostId, container: 'cf-vol', purpose: 'edit' });
    const result = await as('admin').applyEdit({
      hostId,
      container: created.id,
      values: {
        ...template.values,
        env: [...template.values.env, { key: 'NEW', value: '1' }],
        command: 'sleep 1000',
      },
    });
    assert.equal(result.recreated, true);
    made.push(result.id);
    const after = await inspect('cf-vol');
    assert.equal(after.Id, result.id);
    assert.equal(after.Mounts.find((m) => m.Destination === '/anon')?.Name, volume);
    assert.ok(after.Config.Env.includes('NEW=1'));
    assert.deepEqual(
      after.NetworkSettings.Networks['cf-extra']?.Aliases,
      ['extra-alias'],
      'a connected network is joined again',
    );
    await assert.rejects(inspect(created.id), /No such container/);
    const read = await runCli(['-H', agent.host, 'exec', 'cf-vol', 'cat', '/anon/file']);
    assert.equal(read.stdout.trim(), 'kept');
  });

  test('a recreate whose new container cannot start leaves the old one running as it was', async () => {
    const port = await freePort();
    const blocker = await as('admin').create({
      hostId,
      values: {
        ...EMPTY_FORM,
        image,
        name: 'cf-blocker',
        command: 'sleep 1000',
        ports: [{ hostIp: '', hostPort: String(port), containerPort: '80', protocol: 'tcp' }],
      },
    });
    made.push(blocker.id);
    const old = await as('admin').create({
      hostId,
      values: { ...EMPTY_FORM, image, name: 'cf-old', command: 'sleep 1000' },
    });
    made.push(old.id);
    const before = await inspect(old.id);
    const template = await as('admin').template({ hostId, container: 'cf-old', purpose: 'edit' });
    await assert.rejects(
      as('admin').applyEdit({
        hostId,
        container: old.id,
        values: {
          ...template.values,
          ports: [{ hostIp: '', hostPort: String(port), containerPort: '80', protocol: 'tcp' }],
        },
      }),
    );
    const after = await inspect('cf-old');
    assert.equal(after.Id, before.Id);
    assert.equal(after.State.Running, true);
    assert.deepEqual(after.HostConfig, before.HostConfig);
    assert.deepEqual(
      (await names()).filter((name) => name.startsWith('cf-old')),
      ['cf-old'],
      'the new container was removed',
    );
    const [entry] = await listAudit(t.db, { limit: 1 });
    assert.equal(entry?.action, 'container.recreate');
    assert.equal(entry?.result, 'error');
  });

  test('a recreate keeps a fixed address (--ip) on its network', async () => {
    const network = await direct.client.networks.create.mutate({ Name: 'cf-fixed' });
    const subnet = (await direct.client.networks.inspect.query({ network: network.Id })).IPAM.Config[0]
      ?.Subnet;
    assert.ok(subnet);
    // The ninth address of the subnet (a /24 or wider, from the agent's pools).
    const ip = subnet.replace(/\.\d+\/\d+$/, '.9');
    const created = await as('admin').create({
      hostId,
      values: { ...EMPTY_FORM, image, name: 'cf-ip', command: 'sleep 1000', network: 'cf-fixed', ip },
    });
    made.push(created.id);
    const before = await inspect(created.id);
    assert.equal(before.NetworkSettings.Networks['cf-fixed']?.IPAMConfig?.IPv4Address, ip);
    const template = await as('admin').template({ hostId, container: 'cf-ip', purpose: 'edit' });
    assert.equal(template.values.ip, ip, 'the form shows the fixed address');
    const result = await as('admin').applyEdit({
      hostId,
      container: created.id,
      values: { ...template.values, env: [...template.values.env, { key: 'NEW', value: '1' }] },
    });
    assert.equal(result.recreated, true);
    made.push(result.id);
    const after = await inspect('cf-ip');
    assert.equal(after.Id, result.id);
    assert.equal(after.State.Running, true);
    assert.equal(after.NetworkSettings.Networks['cf-fixed']?.IPAddress, ip);
    assert.equal(after.NetworkSettings.Networks['cf-fixed']?.IPAMConfig?.IPv4Address, ip);
  });

  test('a web server killed mid-recreate: another one puts the old container back or finishes the swap', async () => {
    // Calls of a recreate of a running container without fixed addresses: create, stop the old one,
    // start the new one, park the old name, give the new one the name, remove the old one.
    for (const [survivingCalls, expected] of [
      [3, 'rolled back'],
      [5, 'completed'],
    ] as const) {
      const name = `cf-killed-${survivingCalls}`;
      const old = await as('admin').create({
        hostId,
        values: { ...EMPTY_FORM, image, name, command: 'sleep 1000' },
      });
      made.push(old.id);
      const inspected = await inspect(old.id);
      const next = inspectToCreate(inspected, 'recreate');
      let calls = 0;
      // After `survivingCalls` calls the process is gone: nothing answers, nothing runs after.
      const dying: AgentCaller = (fn) =>
        calls++ < survivingCalls ? plane.hub.call(hostId, fn) : new Promise(() => {});
      const owner = { hostId, userId: users.operator.id, username: users.operator.username };
      const rowId = `killed-${survivingCalls}`;
      void recreateContainer(dying, inspected, next, pino({ level: 'silent' }), undefined, (plan) =>
        saveRecreatePlan(t.db, rowId, owner, plan).then(() => {}),
      );
      // Alive, the process renews its row (as RecreateJournal.run does); dead, it stops.
      const heartbeat = setInterval(() => {
        // A Prisma query runs only once awaited or then-ed.
        if (calls <= survivingCalls) renewRecreate(t.db, rowId).catch((error) => console.error(error));
      }, 50);
      await waitUntil(async () => calls > survivingCalls, 60_000).finally(() => clearInterval(heartbeat));
      // The surviving process finds the row abandoned and settles it.
      await waitUntil(
        async () => (await t.db.containerRecreate.count({ where: { id: rowId } })) === 0,
        20_000,
      );
      const holder = await inspect(name);
      assert.equal(holder.State.Running, true, `${name}: running`);
      assert.equal(holder.Id === old.id, expected === 'rolled back', `${name}: ${expected}`);
      made.push(holder.Id);
      assert.deepEqual(
        (await names()).filter((n) => n.startsWith(name)),
        [name],
        `${name}: no container is left under a temporary name`,
      );
      const [entry] = await listAudit(t.db, { limit: 1 });
      assert.equal(entry?.action, 'container.recreate');
      assert.equal(entry?.username, users.operator.username);
      assert.deepEqual(JSON.parse(entry?.params ?? '{}'), {
        container: old.id,
        interrupted: true,
        outcome: expected,
      });
    }
  });
});
