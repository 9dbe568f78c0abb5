import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import {
  busyboxLayer,
  type PushedImage,
  pushBusybox,
  pushImage,
} from '@stevedore/agent/test/harness/test-images';
import type { ImagePullEvent, Role, SessionUser } from '@stevedore/shared';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, registerAgentHost, usersByRole, waitFor } from '../harness/control-plane';

const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;
const CONTAINER = 'images-user';

/**
 * A registry in front of `upstream` that sends only the first half of blob `stallDigest` and then
 * holds the connection: a pull that cannot finish, to cancel. Records when the agent hangs up.
 */
async function stallingRegistry(upstream: TestRegistry, stallDigest: string) {
  const state = { stalled: false, hungUp: false };
  const server: Server = createServer(async (req, res) => {
    const upstreamResponse = await fetch(`${upstream.url}${req.url}`, {
      headers: { accept: req.headers.accept ?? '*/*' },
    });
    const body = Buffer.from(await upstreamResponse.arrayBuffer());
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'docker-content-digest']) {
      const value = upstreamResponse.headers.get(name);
      if (value) headers[name] = value;
    }
    if (!req.url?.endsWith(`/blobs/${stallDigest}`)) {
      res.writeHead(upstreamResponse.status, { ...headers, 'content-length': String(body.length) }).end(body);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(body.length) });
    res.write(body.subarray(0, body.length >> 1));
    state.stalled = true;
    res.on('close', () => {
      state.hungUp = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    state,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A pull read in the background: its events as they come. */
function follow(subscribe: (signal: AbortSignal) => Promise<AsyncIterable<ImagePullEvent>>) {
  const events: ImagePullEvent[] = [];
  const controller = new AbortController();
  let failure: unknown = null;
  const done = (async () => {
    try {
      for await (const event of await subscribe(controller.signal)) events.push(event);
    } catch (error) {
      failure = error;
    }
  })();
  return {
    events,
    get failure() {
      return failure;
    },
    stop: async () => {
      controller.abort();
      await done;
    },
    done,
  };
}

// The Images tab's server side against a real agent and a real registry: the list with each
// image's users, a pull relayed with per-layer progress and cancelled on the host when the caller
// leaves, remove refused for an image in use (naming the container), tag, history, inspect, the
// prune preview, login without the password in the audit log; viewers read only.
describe('images', { timeout: 180_000 }, () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let registry: TestRegistry;
  let plane: ReturnType<typeof createControlPlane>;
  let hostId: string;
  let busybox: PushedImage;
  let big: PushedImage;
  let users: Record<Role, SessionUser>;
  const as = (who: Role, signal?: AbortSignal) => plane.callerAs(users[who], signal);

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    registry = await startRegistry();
    busybox = await pushBusybox(registry);
    // A second layer of incompressible bytes: enough to report bytes more than once.
    big = await pushImage(registry, 'library/big', 'latest', [
      busyboxLayer(),
      [{ type: 'file', name: 'blob.bin', content: randomBytes(8 << 20) }],
    ]);
    plane = createControlPlane(t.db);
    users = await usersByRole(t.db, 'img', ['admin', 'operator', 'viewer']);
    hostId = await registerAgentHost(plane, users.admin, agent, 'box');
  });
  after(async () => {
    if (agent) await runCli(['-H', agent.host, 'rm', '-f', CONTAINER]);
    await plane?.close();
    await registry?.stop();
    await agent?.stop();
    await t?.close();
  });

  test('a pull relays each layer from downloading through extracting to done, then lists the image', async () => {
    const pull = follow((signal) => as('admin', signal).images.pull({ hostId, reference: big.reference }));
    await pull.done;
    assert.equal(pull.failure, null, String(pull.failure));
    const done = pull.events.at(-1);
    assert.equal(done?.type, 'done');
    const byLayer = new Map<string, string[]>();
    for (const event of pull.events) {
      if (event.type !== 'progress') continue;
      const seen = byLayer.get(event.progress.id) ?? [];
      if (seen.at(-1) !== event.progress.status) seen.push(event.progress.status);
      byLayer.set(event.progress.id, seen);
    }
    assert.equal(byLayer.size, 2);
    for (const [id, statuses] of byLayer) {
      assert.equal(statuses[0], 'Pulling fs layer', id);
      assert.ok(statuses.includes('Downloading'), `${id}: ${statuses.join(', ')}`);
      assert.ok(statuses.includes('Extracting'), `${id}: ${statuses.join(', ')}`);
      assert.equal(statuses.at(-1), 'Pull complete', id);
    }
    const rows = await as('viewer').images.list({ hostId });
    const row = rows.find((r) => r.repoTags.includes(big.reference));
    assert.ok(row, 'the pulled image is listed');
    assert.equal(row.id, big.configDigest);
    const audit = (await as('admin').audit.list({ limit: 50 })).entries;
    assert.ok(
      audit.some(
        (e) =>
          e.action === 'image.pull' &&
          e.result === 'ok' &&
          e.target === big.reference &&
          e.username === 'img-admin',
      ),
      'the pull is audited',
    );
  });

  test('leaving a pull stops it on the host: the download is hung up and no image is made', async () => {
    const stalled = await pushImage(registry, 'library/stalled', 'latest', [
      [{ type: 'file', name: 'stall.bin', content: randomBytes(4 << 20) }],
    ]);
    const front = await stallingRegistry(registry, stalled.layers[0]?.digest ?? '');
    try {
      const reference = `${front.host}/library/stalled:latest`;
      const pull = follow((signal) => as('admin', signal).images.pull({ hostId, reference }));
      await waitFor(() => front.state.stalled, 30_000);
      await pull.stop();
      await waitFor(() => front.state.hungUp, 10_000);
      const rows = await as('viewer').images.list({ hostId });
      assert.ok(!rows.some((r) => r.repoTags.includes(reference)), 'the cancelled image is not there');
    } finally {
      await front.stop();
    }
  });

  test('an image in use: removing it is refused naming the container; tag, history, inspect, prune preview', async () => {
    assert.equal((await runCli(['-H', agent.host, 'pull', '-q', busybox.reference])).code, 0);
    const run = await runCli([
      '-H',
      agent.host,
      'run',
      '-d',
      '--name',
      CONTAINER,
      busybox.reference,
      'sleep',
      '3600',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const rows = await as('viewer').images.list({ hostId });
    const row = rows.find((r) => r.repoTags.includes(busybox.reference));
    assert.deepEqual(
      row?.usedBy.map((u) => u.name),
      [CONTAINER],
    );

    await assert.rejects(
      as('operator').images.remove({ hostId, image: busybox.reference }),
      codeOf('FORBIDDEN'),
    );
    await assert.rejects(
      as('viewer').images.remove({ hostId, image: busybox.reference }),
      codeOf('FORBIDDEN'),
    );
    await assert.rejects(as('admin').images.remove({ hostId, image: busybox.reference }), (error: Error) => {
      assert.equal((error as { code?: string }).code, 'CONFLICT');
      assert.match(error.message, new RegExp(`in use by ${CONTAINER}`));
      return true;
    });

    const target = `${registry.host}/library/busybox:copy`;
    await as('admin').images.tag({ hostId, source: busybox.reference, target });
    const tagged = (await as('viewer').images.list({ hostId })).find((r) => r.id === busybox.configDigest);
    assert.ok(tagged?.repoTags.includes(target));
    // With two names, removing one only untags it.
    const untag = await as('admin').images.remove({ hostId, image: target });
    assert.deepEqual(untag.untagged.length, 1);

    const history = await as('viewer').images.history({ hostId, image: busybox.reference });
    assert.equal(history[0]?.CreatedBy, 'stevedore test');
    const inspect = await as('viewer').images.inspect({ hostId, image: busybox.reference });
    assert.equal(inspect.Id, busybox.configDigest);

    const preview = await as('viewer').images.prunePreview({ hostId, all: true });
    assert.ok(!preview.images.some((i) => i.id === busybox.configDigest), 'an image in use is kept');
    assert.ok(
      preview.images.some((i) => i.id === big.configDigest),
      'an unused image goes',
    );
    assert.equal(
      preview.bytes,
      preview.images.reduce((sum, i) => sum + i.size, 0),
    );
  });

  test('login keeps the credentials on the host; the audit log has the user name, never the password', async () => {
    const result = await as('admin').images.login({
      hostId,
      serverAddress: registry.host,
      username: 'robot',
      password: 'secret-pass-123',
    });
    assert.equal(result.serverAddress, registry.host);
    await assert.rejects(
      as('viewer').images.login({ hostId, serverAddress: registry.host, username: 'x', password: 'y' }),
      codeOf('FORBIDDEN'),
    );
    const audit = (await as('admin').audit.list({ limit: 50 })).entries;
    const entry = audit.find((e) => e.action === 'image.login' && e.result === 'ok');
    assert.ok(entry);
    assert.equal(JSON.stringify(entry).includes('secret-pass-123'), false);
    assert.match(JSON.stringify(entry.params), /robot/);
    await as('admin').images.logout({ hostId, serverAddress: registry.host });
  });
});
