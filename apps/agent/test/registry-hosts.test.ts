import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectAgentOnce } from '@stevedore/agent-api';
import { freePort } from '../../../scripts/free-port.mjs';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';
import { TestNetns } from './harness/test-netns.js';

/** A CA and a server certificate for `ip`, made with openssl in `dir`. */
function makeCertificates(dir: string, ip: string) {
  const run = (args: string[]) => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  };
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=stevedore test CA',
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    `/CN=${ip}`,
  ]);
  writeFileSync(join(dir, 'san.ext'), `subjectAltName=IP:${ip}\n`);
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ]);
  return {
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
  };
}

describe('certs.d: mirrors for any registry (hosts.toml) and per-registry CA certificates', () => {
  let agent: AgentProcess;
  let certsDir: string;
  const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });
  const stops: (() => Promise<void> | void)[] = [];

  before(async () => {
    // A config file, so certs.d sits beside it in the agent's temp dir.
    agent = await startAgent({ config: {} });
    certsDir = join(dirname(agent.dataRoot), 'certs.d');
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await agent?.stop();
  });

  test('a registry that is down is served by its mirrors, tried in order, read live from hosts.toml', async () => {
    const upstream = await startRegistry();
    stops.push(() => upstream.stop());
    const mirror = await startRegistry({});
    stops.push(() => mirror.stop());
    // The mirror holds the same repository; then the upstream goes away.
    await pushBusybox(mirror, 'team/tools', 'v1');
    await upstream.stop();
    const deadPort = await freePort();
    mkdirSync(join(certsDir, upstream.host), { recursive: true });
    writeFileSync(
      join(certsDir, upstream.host, 'hosts.toml'),
      [
        `server = "${upstream.url}"`,
        `[host."http://127.0.0.1:${deadPort}"]`,
        '  capabilities = ["pull", "resolve"]',
        `[host."${mirror.url}"]`,
        '  capabilities = ["pull", "resolve"]',
      ].join('\n'),
    );
    const pulled = await cli('pull', `${upstream.host}/team/tools:v1`);
    assert.equal(pulled.code, 0, pulled.stderr);
    const connection = await connectAgentOnce({ host: agent.host });
    try {
      const { endpoints: checks = [] } = await connection.client.registries.probe.mutate({
        registry: upstream.host,
        upstream: true,
      });
      assert.deepEqual(
        checks.map((c) => [c.url, c.mirror, c.reachable]),
        [
          [`http://127.0.0.1:${deadPort}`, true, false],
          [mirror.url, true, true],
          [upstream.url, false, false],
        ],
      );
    } finally {
      await connection.close();
    }
    const ran = await cli(
      'run',
      '--rm',
      '--network',
      'none',
      `${upstream.host}/team/tools:v1`,
      'echo',
      'from the mirror',
    );
    assert.equal(ran.stdout.trim(), 'from the mirror', ran.stderr);
  });

  test('docker.io through registry-mirrors: a pull-through cache of a local registry serves `busybox`', async () => {
    const upstream = await startRegistry();
    stops.push(() => upstream.stop());
    await pushBusybox(upstream);
    const cache = await startRegistry({ proxyOf: upstream.url });
    stops.push(() => cache.stop());
    // docker.io itself is pointed at a dead local port, so nothing here can reach the internet.
    const deadPort = await freePort();
    mkdirSync(join(certsDir, 'docker.io'), { recursive: true });
    writeFileSync(join(certsDir, 'docker.io', 'hosts.toml'), `server = "http://127.0.0.1:${deadPort}"\n`);
    const connection = await connectAgentOnce({ host: agent.host });
    try {
      await connection.client.config.update.mutate({ settings: { 'registry-mirrors': [cache.url] } });
      const pulled = await cli('pull', 'busybox');
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.match(pulled.stdout, /docker\.io\/library\/busybox:latest/);
      // docker.io's own endpoint is a dead port: only the cache (fetching from upstream) can have served it.
    } finally {
      await connection.client.config.update.mutate({ settings: { 'registry-mirrors': null } });
      await connection.close();
      rmSync(join(certsDir, 'docker.io'), { recursive: true, force: true });
    }
    const ran = await cli('run', '--rm', '--network', 'none', 'busybox', 'echo', 'via the cache');
    assert.equal(ran.stdout.trim(), 'via the cache', ran.stderr);
  });

  test('an HTTPS registry with its own CA: refused until certs.d/<host>/ca.crt names the CA, then pulled', async () => {
    const remote = new TestNetns(96);
    remote.setUp();
    stops.push(() => remote.tearDown());
    const dir = mkdtempSync(join(tmpdir(), 'stevedore-certs-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const tls = makeCertificates(dir, remote.address);
    // Filled over plain HTTP on 127.0.0.1, served over HTTPS from the other "machine".
    const filler = await startRegistry();
    stops.push(() => filler.stop());
    await pushBusybox(filler, 'secure/app', 'v1');
    const secure: TestRegistry = await startRegistry({
      storage: filler.storage,
      tls,
      netns: { name: remote.name, address: remote.address },
    });
    stops.push(() => secure.stop());
    const image = `${secure.host}/secure/app:v1`;

    const refused = await cli('pull', image);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /certificate/i);

    mkdirSync(join(certsDir, secure.host), { recursive: true });
    writeFileSync(join(certsDir, secure.host, 'ca.crt'), tls.caPem);
    const pulled = await cli('pull', image);
    assert.equal(pulled.code, 0, pulled.stderr);
    const connection = await connectAgentOnce({ host: agent.host });
    try {
      const { endpoints: [check] = [] } = await connection.client.registries.probe.mutate({
        registry: secure.host,
        upstream: true,
      });
      assert.equal(check?.tls, 'verified');
      assert.equal(check?.reachable, true);
    } finally {
      await connection.close();
    }
  });
});
