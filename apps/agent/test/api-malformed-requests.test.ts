/**
 * Issue 16, "one malformed request ends the agent": requests no client library would send, over
 * the unix socket and over TCP with a valid token. Each gets a 4xx that says what was wrong, and
 * the agent answers `info` afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, createAgentClient } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { type RawTarget, rawRequest } from './harness/raw-http.js';
import { buildLayerTar, busyboxLayer } from './harness/test-images.js';

const UPGRADE =
  'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==';

describe('malformed requests get a 4xx and the agent survives them', { timeout: 120_000 }, () => {
  let agent: AgentProcess;
  let local: AgentConnection;
  let unix: RawTarget;
  let tcp: RawTarget;
  let auth: string;
  before(async () => {
    agent = await startAgent({ tcp: true });
    local = createAgentClient({ host: agent.host });
    unix = { socketPath: agent.socketPath };
    tcp = { port: Number(new URL(agent.tcpUrl!).port) };
    auth = `Authorization: Bearer ${agent.token}`;
  });
  after(async () => {
    await local?.close();
    await agent?.stop();
  });

  async function assertAlive(what: string): Promise<void> {
    assert.equal(
      agent.pid !== undefined && isRunning(agent.pid),
      true,
      `the agent died after ${what}:\n${agent.logs().slice(-3000)}`,
    );
    const info = await local.client.system.info.query();
    assert.equal(info.DockerRootDir, agent.dataRoot);
  }

  const cases: {
    name: string;
    head: (auth: string) => string;
    body?: string;
    status: number;
    says: RegExp;
  }[] = [
    {
      name: 'GET /containers/%ZZ/archive',
      head: (a) => `GET /containers/%ZZ/archive?path=/ HTTP/1.1\r\nHost: x\r\n${a}\r\nConnection: close`,
      status: 400,
      says: /percent-encoding/,
    },
    {
      name: 'GET /containers/%ZZ/export',
      head: (a) => `GET /containers/%ZZ/export HTTP/1.1\r\nHost: x\r\n${a}\r\nConnection: close`,
      status: 400,
      says: /percent-encoding/,
    },
    {
      name: 'PUT /containers/%ZZ/archive',
      head: (a) =>
        `PUT /containers/%ZZ/archive?path=/ HTTP/1.1\r\nHost: x\r\n${a}\r\nContent-Length: 1024\r\nConnection: close`,
      body: '\0'.repeat(1024),
      status: 400,
      says: /percent-encoding/,
    },
    {
      name: 'a container name with a NUL byte',
      head: (a) => `GET /containers/a%00b/archive?path=/ HTTP/1.1\r\nHost: x\r\n${a}\r\nConnection: close`,
      status: 400,
      says: /NUL/,
    },
    {
      name: 'a path with a NUL byte',
      head: (a) =>
        `GET /containers/abc/archive?path=/etc%00x HTTP/1.1\r\nHost: x\r\n${a}\r\nConnection: close`,
      status: 400,
      says: /NUL/,
    },
    {
      name: 'a request line with a broken URL',
      head: (a) => `GET //[ HTTP/1.1\r\nHost: x\r\n${a}\r\nConnection: close`,
      status: 400,
      says: /malformed request URL/,
    },
    {
      name: 'a broken URL on an archive route',
      head: (a) => `GET http://[/images/get?names=x HTTP/1.1\r\nHost: x\r\n${a}\r\nConnection: close`,
      status: 400,
      says: /malformed request URL/,
    },
    {
      name: 'a broken URL with Upgrade: websocket',
      head: (a) => `GET //[ HTTP/1.1\r\nHost: x\r\n${a}\r\n${UPGRADE}`,
      status: 400,
      says: /malformed request URL/,
    },
    {
      name: 'a broken Host header with Upgrade: websocket',
      head: (a) => `GET / HTTP/1.1\r\nHost: a b\r\n${a}\r\n${UPGRADE}`,
      status: 400,
      says: /malformed Host header/,
    },
    {
      name: 'a header line without a colon',
      head: (a) => `GET /_ping HTTP/1.1\r\nHost: x\r\n${a}\r\nthis is no header\r\nConnection: close`,
      status: 400,
      says: /malformed HTTP request/,
    },
    {
      name: 'a header value with a control character',
      head: (a) => `GET /_ping HTTP/1.1\r\nHost: x\r\n${a}\r\nX-Bad: a\u0001b\r\nConnection: close`,
      status: 400,
      says: /malformed HTTP request/,
    },
    {
      name: 'a broken chunked body',
      head: (a) =>
        `POST /images/load HTTP/1.1\r\nHost: x\r\n${a}\r\nTransfer-Encoding: chunked\r\nConnection: close`,
      body: 'zz\r\nnot a chunk\r\n',
      status: 400,
      says: /malformed HTTP request|tar archive/,
    },
  ];

  for (const transport of ['unix', 'tcp'] as const) {
    for (const c of cases) {
      test(`${transport}: ${c.name}`, async () => {
        const target = transport === 'unix' ? unix : tcp;
        const answer = await rawRequest(target, c.head(transport === 'tcp' ? auth : 'X-Nothing: 1'), c.body);
        assert.equal(answer.status, c.status, `answer: ${JSON.stringify(answer)}`);
        assert.match(answer.body, c.says);
        await assertAlive(c.name);
      });
    }
  }

  test('a corrupt tar body on load, import and cp gets 400 before anything is extracted', async () => {
    // A container to copy into: an imported busybox rootfs, created (not started).
    const rootfs = await buildLayerTar(busyboxLayer());
    const imported = await rawRequest(
      unix,
      `POST /images/create?fromSrc=-&repo=malformed-test:1 HTTP/1.1\r\nHost: x\r\nContent-Length: ${rootfs.length}\r\nConnection: close`,
      rootfs,
    );
    assert.equal(imported.status, 200, imported.body);
    const { Id } = await local.client.containers.create.mutate({
      Config: { Image: 'malformed-test:1', Cmd: ['true'] },
    });

    const valid = await buildLayerTar([{ type: 'file', name: 'a.txt', content: 'a'.repeat(2000) }]);
    const corruptHeader = Buffer.from(valid);
    corruptHeader[10] = (corruptHeader[10] as number) ^ 0x55; // the first header's name: checksum no longer matches
    const corruptSecond = Buffer.concat([
      valid.subarray(0, 512 + 2048),
      Buffer.alloc(512, 0x41),
      Buffer.alloc(1024),
    ]);
    const truncated = valid.subarray(0, 700);
    const notTar = Buffer.from('{"this is": "json, not a tar archive"}'.repeat(40));
    const routes = [
      'POST /images/load',
      'POST /images/create?fromSrc=-&repo=malformed-test:2',
      `PUT /containers/${Id}/archive?path=/tmp`,
    ];
    for (const route of routes) {
      for (const [name, body] of Object.entries({ corruptHeader, notTar, corruptSecond, truncated })) {
        const answer = await rawRequest(
          unix,
          `${route} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close`,
          body,
        );
        assert.equal(
          answer.status,
          400,
          `${route} with ${name}: ${JSON.stringify(answer)}\n${agent.logs().slice(-3000)}`,
        );
        assert.match(answer.body, /not a valid tar archive/, `${route} with ${name}`);
        if (route.startsWith('PUT') && name === 'notTar') {
          // A body whose first header is bad is refused before extraction begins: nothing written.
          // (A corrupt header further in may come after entries already extracted, as with Docker.)
          const copied = await rawRequest(
            unix,
            `GET /containers/${Id}/archive?path=/tmp/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close`,
          );
          assert.equal(copied.status, 404, `a.txt must not exist in the container: ${copied.status}`);
        }
      }
    }
    // Nothing was tagged by the refused imports.
    const images = await local.client.images.list.query();
    assert.deepEqual(
      images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.includes('malformed-test')),
      ['docker.io/library/malformed-test:1'],
      JSON.stringify(images),
    );
    // A time that is none, for an existing container's logs and for events: a client error.
    for (const subscribe of [
      (handlers: object) =>
        local.client.containers.logs.subscribe({ container: Id, since: 'yesterday' }, handlers),
      (handlers: object) => local.client.events.stream.subscribe({ until: 'tomorrow' }, handlers),
    ]) {
      const code = await new Promise<string | undefined>((resolve) => {
        subscribe({
          onError: (error: { data?: { code?: string } }) => resolve(error.data?.code),
          onComplete: () => resolve('completed'),
        });
      });
      assert.equal(code, 'BAD_REQUEST');
    }
    await local.client.containers.remove.mutate({ container: Id, force: true });
    await local.client.images.remove.mutate({ image: 'malformed-test:1', force: true });
    await assertAlive('corrupt tar bodies');
  });

  test('a websocket message above the size limit closes that connection only (1009)', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`ws+unix://${agent.socketPath}:/`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.send(Buffer.alloc(9 << 20, 0x20));
    assert.equal(await closed, 1009);
    await assertAlive('an oversized websocket message');
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
