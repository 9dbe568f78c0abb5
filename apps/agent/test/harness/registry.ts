/**
 * A real registry for tests: Debian's docker-registry (distribution v2) on 127.0.0.1, with its own
 * storage in a temp dir. stop() kills it and removes the dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freePort } from '../../../../scripts/free-port.mjs';

export interface TestRegistry {
  /** http://127.0.0.1:PORT (https://… with tls) */
  url: string;
  /** 127.0.0.1:PORT, as it appears in image references. */
  host: string;
  /** Where its blobs and manifests are: another registry can serve the same content. */
  storage: string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Serve another registry's storage (what was pushed there) instead of a new one. */
  storage?: string;
  /** HTTPS with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string; caPem: string };
  /** A pull-through cache of the registry at this URL (distribution's proxy mode). */
  proxyOf?: string;
  /** Run inside this network namespace (`ip netns exec`), listening on `address`. */
  netns?: { name: string; address: string };
  /** Require Basic credentials (htpasswd auth): REGISTRY_USER / REGISTRY_PASSWORD. */
  htpasswd?: boolean;
}

/** The one account of a registry started with `htpasswd: true`. */
export const REGISTRY_USER = 'tester';
export const REGISTRY_PASSWORD = 'stevedore registry password';
/** bcrypt (the only scheme docker-registry's htpasswd accepts) of REGISTRY_PASSWORD, made once. */
const REGISTRY_PASSWORD_BCRYPT = '$2b$05$WjIxJQizill3XS9Qd1oihuoblFyMy4ZdQjy/fcm9AZRXyvASkO1f.';

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-registry-'));
  const storage = options.storage ?? join(dir, 'data');
  const port = options.netns ? 5000 : await freePort();
  const address = options.netns?.address ?? '127.0.0.1';
  const config = join(dir, 'config.yml');
  const htpasswd = join(dir, 'htpasswd');
  if (options.htpasswd) writeFileSync(htpasswd, `${REGISTRY_USER}:${REGISTRY_PASSWORD_BCRYPT}\n`);
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      `  level: ${process.env.TEST_REGISTRY_LOG ?? 'error'}`,
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storage}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${address}:${port}`,
      ...(options.tls
        ? ['  tls:', `    certificate: ${options.tls.certFile}`, `    key: ${options.tls.keyFile}`]
        : []),
      ...(options.proxyOf ? ['proxy:', `  remoteurl: ${options.proxyOf}`] : []),
      ...(options.htpasswd
        ? ['auth:', '  htpasswd:', '    realm: stevedore-test', `    path: ${htpasswd}`]
        : []),
      '',
    ].join('\n'),
  );
  const command = options.netns
    ? ['ip', ['netns', 'exec', options.netns.name, '/usr/bin/docker-registry', 'serve', config]]
    : ['/usr/bin/docker-registry', ['serve', config]];
  const child: ChildProcess = spawn(command[0] as string, command[1] as string[], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (process.env.TEST_REGISTRY_LOG === 'debug') process.stderr.write(chunk);
    log += chunk.toString();
  });
  const url = `${options.tls ? 'https' : 'http'}://${address}:${port}`;
  const dispatcher = options.tls ? new Agent({ connect: { ca: options.tls.caPem } }) : undefined;
  const stop = async () => {
    // A process ended by a signal keeps exitCode null: check both, or a second stop() waits forever.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await request(`${url}/v2/`, dispatcher ? { dispatcher } : {}).catch(() => null);
    await response?.body.dump();
    // With htpasswd auth an anonymous /v2/ is refused: 401 is the sign it is up.
    if (response?.statusCode === (options.htpasswd ? 401 : 200)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await dispatcher?.close();
  return { url, host: `${address}:${port}`, storage, stop };
}

export const sha256Digest = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Uploads a blob and a manifest with plain HTTP calls of the Registry API (test set-up only; the
 * engine's own push is tested separately).
 */
export async function pushBlob(
  registry: TestRegistry,
  repository: string,
  data: Uint8Array,
): Promise<string> {
  const digest = sha256Digest(data);
  const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`upload start failed: ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', registry.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    body: data as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (put.status !== 201) throw new Error(`blob upload failed: ${put.status} ${await put.text()}`);
  return digest;
}

export async function pushManifest(
  registry: TestRegistry,
  repository: string,
  reference: string,
  manifest: object,
  mediaType: string,
): Promise<string> {
  const body = Buffer.from(JSON.stringify(manifest));
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    body,
    headers: { 'content-type': mediaType },
  });
  if (response.status !== 201)
    throw new Error(`manifest push failed: ${response.status} ${await response.text()}`);
  return sha256Digest(body);
}
