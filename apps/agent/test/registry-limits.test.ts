/**
 * Issue 16, bounded resources: a hostile registry (a small HTTP server written here, on
 * 127.0.0.1, which is an insecure registry by Docker's rule) serves endless or huge manifests,
 * configs and token answers. Each pull through the real agent fails with an error that names the
 * registry, the repository and the limit, the agent stops reading early, and its memory stays flat.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, createAgentClient } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from './harness/agent-process.js';

const MiB = 1 << 20;
/** What the fake registry sends at most for an "endless" body: far beyond every cap. */
const ENDLESS_BYTES = 256 * MiB;
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

describe('registry answers are read with a cap', { timeout: 120_000 }, () => {
  let agent: AgentProcess;
  let connection: AgentConnection;
  let registry: string;
  const server = createServer((req, res) => route(req.url ?? '/', res));
  /** Bytes the fake registry managed to send, by path. */
  const sent = new Map<string, number>();

  /** Answers one request; what it returns is ignored. */
  function route(path: string, res: ServerResponse): unknown {
    const base = `http://${registry}`;
    if (path === '/v2/') return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    if (path === '/v2/hostile/endless/manifests/latest') {
      res.writeHead(200, { 'content-type': MANIFEST });
      return endless(res, path, Buffer.from('{"schemaVersion":2,"padding":"'));
    }
    if (path === '/v2/hostile/declared/manifests/latest') {
      res.writeHead(200, { 'content-type': MANIFEST, 'content-length': String(2 * 1024 * MiB) });
      return endless(res, path, Buffer.from('{'));
    }
    if (path === '/v2/hostile/bigconfig/manifests/latest') {
      const manifest = {
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: 3 * 1024 * MiB,
          digest: `sha256:${'a'.repeat(64)}`,
        },
        layers: [],
      };
      return res.writeHead(200, { 'content-type': MANIFEST }).end(JSON.stringify(manifest));
    }
    if (path === '/v2/hostile/tokened/manifests/latest') {
      return void res
        .writeHead(401, { 'www-authenticate': `Bearer realm="${base}/token",service="fake"` })
        .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    if (path.startsWith('/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return endless(res, '/token', Buffer.from('{"token":"'));
    }
    if (path === '/v2/hostile/error-text/manifests/latest') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return endless(res, path, Buffer.from('error: '));
    }
    res.writeHead(404).end();
  }

  /** Sends `head` and then spaces-free filler as fast as the reader takes it, up to ENDLESS_BYTES. */
  function endless(res: ServerResponse, path: string, head: Buffer): void {
    const chunk = Buffer.alloc(MiB, 'a');
    let total = head.length;
    res.write(head);
    const pump = () => {
      while (total < ENDLESS_BYTES && !res.destroyed) {
        total += chunk.length;
        sent.set(path, total);
        if (!res.write(chunk)) return res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => sent.set(path, total));
    pump();
  }

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = await startAgent();
    connection = createAgentClient({ host: agent.host });
    await connection.client.system.info.query();
  });
  after(async () => {
    await connection?.close();
    await agent?.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function pullError(repository: string): Promise<string> {
    return new Promise((resolve, reject) => {
      connection.client.images.pull.subscribe(
        { reference: `${registry}/hostile/${repository}:latest` },
        {
          onError: (error) => resolve(error.message),
          onComplete: () => reject(new Error(`pulling ${repository} succeeded`)),
        },
      );
    });
  }

  const cases: { repository: string; says: RegExp; path: string }[] = [
    {
      repository: 'endless',
      path: '/v2/hostile/endless/manifests/latest',
      says: /the manifest of hostile\/endless:latest, more than the 4 MiB allowed/,
    },
    {
      repository: 'declared',
      path: '/v2/hostile/declared/manifests/latest',
      says: /sent 2147483648 bytes for the manifest of hostile\/declared:latest, more than the 4 MiB allowed/,
    },
    {
      repository: 'bigconfig',
      path: '/v2/hostile/bigconfig/manifests/latest',
      says: /the image config is 3221225472 bytes, more than the 8388608 allowed/,
    },
    {
      repository: 'tokened',
      path: '/token',
      says: /for a token for 127\.0\.0\.1:\d+, more than the 1 MiB allowed/,
    },
  ];

  for (const c of cases) {
    test(`${c.repository}: the pull fails naming registry, repository and limit; the agent stops reading`, async () => {
      const before = rssBytes(agent.pid!);
      const message = await pullError(c.repository);
      assert.match(message, c.says);
      assert.ok(message.includes('127.0.0.1:'), `the registry is named: ${message}`);
      const grown = rssBytes(agent.pid!) - before;
      assert.ok(grown < 50 * MiB, `agent RSS grew ${Math.round(grown / MiB)} MiB pulling ${c.repository}`);
      // What was sent beyond the cap sits in socket buffers at most; the agent did not read on.
      assert.ok((sent.get(c.path) ?? 0) < 64 * MiB, `${c.path}: the registry sent ${sent.get(c.path)} bytes`);
    });
  }

  test('an endless error body is quoted briefly, not read to its end', async () => {
    const message = await pullError('error-text');
    assert.match(message, /answered 500: error: a+$/);
    assert.ok(message.length < 400, message);
    assert.ok((sent.get('/v2/hostile/error-text/manifests/latest') ?? 0) < 64 * MiB);
  });

  test('the agent still answers and its memory stayed bounded overall', async () => {
    const info = await connection.client.system.info.query();
    assert.equal(info.DockerRootDir, agent.dataRoot);
    assert.ok(rssBytes(agent.pid!) < 300 * MiB, `agent RSS ${Math.round(rssBytes(agent.pid!) / MiB)} MiB`);
  });
});

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  return Number(line?.[1] ?? 0) * 1024;
}
