import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import {
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type TestRegistry,
} from '@stevedore/agent/test/harness/registry';
import { type PushedImage, pushBusybox } from '@stevedore/agent/test/harness/test-images';
import type { Role, SessionUser } from '@stevedore/shared';
import { hashPassword } from '../../src/server/auth/password';
import { listAudit } from '../../src/server/db/repositories/audit';
import { createUser, setUserHosts } from '../../src/server/db/repositories/users';
import { registerAgentHost, waitFor } from '../harness/control-plane';
import { type SshHost, startSshHost } from '../harness/ssh-host';
import { httpRequest, startTestWebServer, type TestWebServer } from '../harness/web-server';

/** A GET whose answer is kept as bytes (a tar is not text). */
async function download(port: number, path: string, cookie: string) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie } });
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

async function upload(port: number, path: string, cookie: string, body: Buffer) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-tar' },
    body: new Uint8Array(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

// Save and load through the dashboard's HTTP routes, streamed to real agents (one over a unix
// socket, one through an SSH tunnel): a busybox round-trip keeps its image ID, viewers and
// operators without a grant are refused, a bad archive is the agent's refusal and loads nothing.
describe('image save and load through the dashboard', { timeout: 240_000 }, () => {
  let web: TestWebServer;
  let source: AgentProcess;
  let target: AgentProcess;
  let ssh: SshHost;
  let registry: TestRegistry;
  let privateRegistry: TestRegistry;
  let busybox: PushedImage;
  let sourceId: string;
  let targetId: string;
  let tunnelId: string;
  const cookies = {} as Record<Role | 'stranger', string>;
  const users = {} as Record<Role | 'stranger', SessionUser>;

  before(async () => {
    [source, target, registry, ssh, privateRegistry] = await Promise.all([
      startAgent(),
      startAgent(),
      startRegistry(),
      startSshHost(),
      startRegistry({ htpasswd: true }),
    ]);
    busybox = await pushBusybox(registry);
    assert.equal((await runCli(['-H', source.host, 'pull', '-q', busybox.reference])).code, 0);
    web = await startTestWebServer();
    const roles = { admin: 'admin', operator: 'operator', viewer: 'viewer', stranger: 'operator' } as const;
    for (const [name, role] of Object.entries(roles) as [keyof typeof roles, Role][]) {
      const row = await createUser(web.t.db, {
        username: `arch-${name}`,
        passwordHash: await hashPassword('archive password 1'),
        role,
      });
      users[name] = { id: row.id, username: row.username, role };
      const session = await web.plane.services.auth.login(
        { username: row.username, password: 'archive password 1' },
        { ip: '127.0.0.1', userAgent: null },
      );
      cookies[name] = `stevedore_session=${session.token}`;
    }
    sourceId = await registerAgentHost(web.plane, users.admin, source, 'source');
    targetId = await registerAgentHost(web.plane, users.admin, target, 'target');
    const tunnelled = await web.plane.callerAs(users.admin).hosts.create({
      name: 'tunnelled',
      transport: 'ssh',
      sshHost: ssh.address,
      sshPort: ssh.port,
      sshUser: ssh.user,
      privateKey: ssh.privateKey,
      socketPath: target.socketPath,
    });
    tunnelId = tunnelled.id;
    await waitFor(() => web.plane.hub.status(tunnelId).state === 'online', 20_000);
    await setUserHosts(web.t.db, users.operator.id, [sourceId, targetId]);
  });
  after(async () => {
    await web?.close();
    await ssh?.stop();
    await registry?.stop();
    await privateRegistry?.stop();
    await source?.stop();
    await target?.stop();
  });

  const imageIdOn = async (hostId: string, reference: string) =>
    (await web.plane.callerAs(users.admin).images.list({ hostId })).find((image) =>
      image.repoTags.includes(reference),
    )?.id;
  const savePath = (hostId: string, ...images: string[]) =>
    `/api/images/save?${new URLSearchParams([['hostId', hostId], ...images.map((i) => ['image', i])])}`;

  test('an operator saves busybox and loads it on another host: the same image ID', async () => {
    const saved = await download(web.port, savePath(sourceId, busybox.reference), cookies.operator);
    assert.equal(saved.status, 200, saved.body.toString());
    assert.equal(saved.headers.get('content-type'), 'application/x-tar');
    assert.match(
      saved.headers.get('content-disposition') ?? '',
      /^attachment; filename="127\.0\.0\.1_\d+_library_busybox_latest\.tar"$/,
    );
    // ustar magic at offset 257 of the first header: a real tar, not an error page.
    assert.equal(saved.body.subarray(257, 262).toString(), 'ustar');

    const expected = await imageIdOn(sourceId, busybox.reference);
    assert.ok(expected);
    assert.equal(await imageIdOn(targetId, busybox.reference), undefined);
    const loaded = await upload(
      web.port,
      `/api/images/load?hostId=${targetId}&file=busybox.tar`,
      cookies.operator,
      saved.body,
    );
    assert.equal(loaded.status, 200, JSON.stringify(loaded.json));
    assert.deepEqual(loaded.json.images, [{ id: expected, tags: [busybox.reference] }]);
    assert.equal(await imageIdOn(targetId, busybox.reference), expected);

    const audit = await listAudit(web.t.db, { limit: 50 });
    const save = audit.find((row) => row.action === 'image.save');
    assert.equal(save?.result, 'ok');
    assert.deepEqual(JSON.parse(save?.params ?? '{}'), { images: [busybox.reference] });
    assert.equal(save?.username, 'arch-operator');
    const load = audit.find((row) => row.action === 'image.load' && row.result === 'ok');
    assert.deepEqual(JSON.parse(load?.params ?? '{}'), { file: 'busybox.tar', bytes: saved.body.length });
  });

  test('through an SSH tunnel save and load work the same, after the image was removed', async () => {
    const saved = await download(web.port, savePath(tunnelId, busybox.reference), cookies.admin);
    assert.equal(saved.status, 200, saved.body.toString());
    const id = await imageIdOn(tunnelId, busybox.reference);
    assert.equal((await runCli(['-H', target.host, 'rmi', busybox.reference])).code, 0);
    assert.equal(await imageIdOn(tunnelId, busybox.reference), undefined);
    const loaded = await upload(web.port, `/api/images/load?hostId=${tunnelId}`, cookies.admin, saved.body);
    assert.equal(loaded.status, 200, JSON.stringify(loaded.json));
    assert.equal(await imageIdOn(tunnelId, busybox.reference), id);
  });

  test('viewers, operators without a grant and strangers to the session are refused', async () => {
    for (const who of ['viewer', 'stranger'] as const) {
      const saved = await download(web.port, savePath(sourceId, busybox.reference), cookies[who]);
      assert.equal(saved.status, 403, who);
      assert.match(saved.body.toString(), /may not save images/);
      const loaded = await upload(
        web.port,
        `/api/images/load?hostId=${targetId}`,
        cookies[who],
        Buffer.alloc(1024),
      );
      assert.equal(loaded.status, 403, who);
    }
    assert.equal((await download(web.port, savePath(sourceId, busybox.reference), '')).status, 401);
    const crossSite = await httpRequest(web.port, {
      method: 'POST',
      path: `/api/images/load?hostId=${targetId}`,
      headers: { cookie: cookies.admin, 'sec-fetch-site': 'cross-site' },
      body: Buffer.alloc(1024),
    });
    assert.equal(crossSite.status, 403);
  });

  test('a missing image is a plain 404 before any download starts; no image named is a 400', async () => {
    const missing = await download(web.port, savePath(sourceId, 'no-such-image:1'), cookies.admin);
    assert.equal(missing.status, 404);
    assert.match(JSON.parse(missing.body.toString()).message, /no-such-image/);
    assert.equal((await download(web.port, savePath(sourceId), cookies.admin)).status, 400);
  });

  test("a bad upload is refused with the agent's message and leaves no image behind", async () => {
    const before = await web.plane.callerAs(users.admin).images.list({ hostId: targetId });
    const garbage = Buffer.alloc(4096, 'not a tar archive ');
    const refused = await upload(
      web.port,
      `/api/images/load?hostId=${targetId}&file=junk.tar`,
      cookies.admin,
      garbage,
    );
    assert.equal(refused.status, 400, JSON.stringify(refused.json));
    assert.equal(refused.json.code, 'INVALID_ARGUMENT');
    assert.match(String(refused.json.message), /archive/i);
    const afterwards = await web.plane.callerAs(users.admin).images.list({ hostId: targetId });
    assert.deepEqual(afterwards.map((image) => image.id).sort(), before.map((image) => image.id).sort());
    const audit = await listAudit(web.t.db, { limit: 50 });
    const failed = audit.find((row) => row.action === 'image.load' && row.result === 'error');
    assert.equal(failed?.target, 'junk.tar');
    assert.equal(failed?.error, refused.json.message);
  });

  test('registry logins: listed by name only (viewers too), logout removes one, both audited', async () => {
    const server = privateRegistry.host;
    const admin = web.plane.callerAs(users.admin);
    const viewer = web.plane.callerAs(users.viewer);
    assert.deepEqual(await viewer.images.logins({ hostId: sourceId }), []);
    await assert.rejects(
      admin.images.login({
        hostId: sourceId,
        serverAddress: server,
        username: REGISTRY_USER,
        password: 'wrong',
      }),
    );
    assert.deepEqual(await viewer.images.logins({ hostId: sourceId }), []);
    await admin.images.login({
      hostId: sourceId,
      serverAddress: server,
      username: REGISTRY_USER,
      password: REGISTRY_PASSWORD,
    });
    assert.deepEqual(await viewer.images.logins({ hostId: sourceId }), [server]);
    assert.deepEqual(await viewer.images.logins({ hostId: targetId }), []);
    await assert.rejects(
      viewer.images.logout({ hostId: sourceId, serverAddress: server }),
      /FORBIDDEN|operator/i,
    );
    assert.deepEqual(await admin.images.logout({ hostId: sourceId, serverAddress: server }), {
      removed: true,
    });
    assert.deepEqual(await viewer.images.logins({ hostId: sourceId }), []);
    const audit = await listAudit(web.t.db, { limit: 50 });
    const logout = audit.find((row) => row.action === 'image.logout');
    assert.equal(logout?.result, 'ok');
    assert.deepEqual(JSON.parse(logout?.params ?? '{}'), { serverAddress: server });
    assert.ok(audit.every((row) => !row.params.includes(REGISTRY_PASSWORD)));
  });
});
