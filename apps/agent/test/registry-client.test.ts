import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { isStevedoreError, MediaTypes, parseImageReference } from '@stevedore/shared';
import { ContentStore } from '../src/images/content/content-store.js';
import { RegistryClient } from '../src/images/registry/client.js';
import { selectPlatform } from '../src/images/registry/platform.js';
import { pushManifest, startRegistry, type TestRegistry } from './harness/registry.js';
import { type PushedImage, pushBusybox } from './harness/test-images.js';

const noMirrors = () => ({ registryMirrors: [], insecureRegistries: [], certsDir: null });

describe('registry client against a real registry', () => {
  let registry: TestRegistry;
  let busybox: PushedImage;
  let client: RegistryClient;
  let contentRoot: string;
  const servers: Server[] = [];

  before(async () => {
    registry = await startRegistry();
    busybox = await pushBusybox(registry);
    client = new RegistryClient(noMirrors);
    contentRoot = mkdtempSync(join(tmpdir(), 'stevedore-content-'));
  });
  after(async () => {
    await client?.close();
    for (const server of servers) server.close();
    await registry?.stop();
    if (contentRoot) rmSync(contentRoot, { recursive: true, force: true });
  });

  /** A small HTTP server in front of the registry, to play a hostile or authenticating registry. */
  async function proxy(
    handle: (path: string, headers: Headers, forward: () => Promise<Response>) => Promise<Response>,
  ) {
    const server = createServer(async (req, res) => {
      const forward = () =>
        fetch(`${registry.url}${req.url}`, {
          headers: { accept: String(req.headers.accept ?? '*/*') },
          redirect: 'manual',
        });
      const answer = await handle(
        req.url ?? '/',
        new Headers(req.headers as Record<string, string>),
        forward,
      );
      const body = Buffer.from(await answer.arrayBuffer());
      const headers = Object.fromEntries(answer.headers.entries());
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      res.writeHead(answer.status, { ...headers, 'content-length': String(body.length) });
      res.end(body);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  test('fetches a manifest by tag and by digest, verified', async () => {
    const byTag = await client.getManifest(parseImageReference(busybox.reference));
    assert.equal(byTag.kind, 'manifest');
    assert.equal(byTag.digest, busybox.manifestDigest);
    assert.equal(byTag.mediaType, MediaTypes.dockerManifest);
    const byDigest = await client.getManifest(
      parseImageReference(`${registry.host}/library/busybox@${busybox.manifestDigest}`),
    );
    assert.equal(byDigest.digest, busybox.manifestDigest);
  });

  test('streams blobs into the content store, which verifies them; Range resumes', async () => {
    const ref = parseImageReference(busybox.reference);
    const store = new ContentStore(contentRoot);
    await store.init();
    const layer = busybox.layers[0]!;
    const { stream, size } = await client.openBlob(ref, layer.digest);
    assert.equal(size, layer.size);
    await store.write(layer.digest, stream, layer.size);
    const tar = gunzipSync(await readAll(store.read(layer.digest)));
    assert.ok(tar.includes(Buffer.from('bin/busybox')));
    const resumed = await client.openBlob(ref, layer.digest, 100);
    assert.equal((await readAll(resumed.stream)).length, layer.size - 100);
  });

  test('an unknown tag is NOT_FOUND with the reference in the message', async () => {
    await assert.rejects(
      client.getManifest(parseImageReference(`${registry.host}/library/busybox:nope`)),
      (error: unknown) =>
        isStevedoreError(error) && error.code === 'NOT_FOUND' && /manifest unknown/.test(error.message),
    );
  });

  test('a registry that alters a manifest is caught by the digest check', async () => {
    const host = await proxy(async (path, _headers, forward) => {
      const real = await forward();
      if (!path.includes('/manifests/')) return real;
      const altered = `${await real.text()}\n`;
      return new Response(altered, { status: real.status, headers: real.headers });
    });
    for (const reference of [
      `${host}/library/busybox:latest`,
      `${host}/library/busybox@${busybox.manifestDigest}`,
    ]) {
      await assert.rejects(client.getManifest(parseImageReference(reference)), /manifest digest mismatch/);
    }
  });

  test('Bearer challenge: a token is fetched from the realm once and reused', async () => {
    let tokenRequests = 0;
    let realm = '';
    const host = await proxy(async (path, headers, forward) => {
      if (path.startsWith('/token')) {
        tokenRequests++;
        assert.match(path, /scope=repository%3Alibrary%2Fbusybox%3Apull/);
        return Response.json({ token: 'good-token', expires_in: 300 });
      }
      if (headers.get('authorization') !== 'Bearer good-token') {
        return new Response('{}', {
          status: 401,
          headers: {
            'www-authenticate': `Bearer realm="${realm}",service="test-registry",scope="repository:library/busybox:pull"`,
          },
        });
      }
      return forward();
    });
    realm = `http://${host}/token`;
    const ref = parseImageReference(`${host}/library/busybox:latest`);
    assert.equal((await client.getManifest(ref)).digest, busybox.manifestDigest);
    assert.equal((await client.getManifest(ref)).digest, busybox.manifestDigest);
    assert.equal(tokenRequests, 1);
  });

  test('transient 503s are retried; the pull then succeeds', async () => {
    let failures = 2;
    const host = await proxy(async (_path, _headers, forward) =>
      failures-- > 0 ? new Response('busy', { status: 503 }) : forward(),
    );
    assert.equal(
      (await client.getManifest(parseImageReference(`${host}/library/busybox:latest`))).digest,
      busybox.manifestDigest,
    );
  });

  test('manifest lists: the host platform is picked; a list without it is a clear error', async () => {
    const entry = (architecture: string) => ({
      mediaType: MediaTypes.dockerManifest,
      digest: busybox.manifestDigest,
      size: 500,
      platform: { os: 'linux', architecture },
    });
    const list = {
      schemaVersion: 2,
      mediaType: MediaTypes.dockerManifestList,
      manifests: [entry('arm64'), entry('amd64')],
    };
    await pushManifest(registry, 'library/busybox', 'multi', list, MediaTypes.dockerManifestList);
    const fetched = await client.getManifest(parseImageReference(`${registry.host}/library/busybox:multi`));
    assert.equal(fetched.kind, 'index');
    if (fetched.kind !== 'index') return;
    assert.equal(
      selectPlatform(fetched.index, { os: 'linux', architecture: 'amd64' }, 'busybox:multi').platform
        ?.architecture,
      'amd64',
    );
    assert.throws(
      () => selectPlatform(fetched.index, { os: 'linux', architecture: 's390x' }, 'busybox:multi'),
      /no matching manifest for linux\/s390x .* \(it has: linux\/arm64, linux\/amd64\)/,
    );
  });
});

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}
