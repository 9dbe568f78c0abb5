import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import { parse as parseToml } from 'smol-toml';
import { freePort } from '../../../scripts/free-port.mjs';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';

function testCaPem(dir: string): string {
  const result = spawnSync(
    'openssl',
    [
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
      '/CN=stevedore registry test CA',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return readFileSync(join(dir, 'ca.pem'), 'utf8');
}

describe('registries: settings per registry (hosts.toml, daemon.json), mirror health, who served each pull', () => {
  let agent: AgentProcess;
  let connection: AgentConnection;
  let certsDir: string;
  let configFile: string;
  let upstream: TestRegistry;
  let cache: TestRegistry;
  const stops: (() => Promise<void> | void)[] = [];
  const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });
  const client = () => connection.client.registries;

  before(async () => {
    agent = await startAgent({ config: {} });
    certsDir = join(dirname(agent.dataRoot), 'certs.d');
    configFile = join(dirname(agent.dataRoot), 'daemon.json');
    connection = await connectAgentOnce({ host: agent.host });
    upstream = await startRegistry();
    stops.push(() => upstream.stop());
    await pushBusybox(upstream, 'team/tools', 'v1');
    cache = await startRegistry({ proxyOf: upstream.url });
    stops.push(() => cache.stop());
  });

  after(async () => {
    await connection?.close();
    for (const stop of stops.reverse()) await stop();
    await agent?.stop();
  });

  test('a mirror set over the API serves the next pull (hosts.toml written atomically, no restart), and removing it sends pulls back upstream', async () => {
    const set = await client().set.mutate({
      registry: upstream.host,
      mirrors: [{ url: `${cache.url}/` }],
      insecure: false,
      ca: null,
    });
    assert.deepEqual(
      set.mirrors.map((m) => [m.url, m.source]),
      [[cache.url, 'hosts.toml']],
    );
    const dir = join(certsDir, upstream.host);
    assert.deepEqual(readdirSync(dir), ['hosts.toml'], 'only hosts.toml: no temp file left behind');
    assert.match(readFileSync(join(dir, 'hosts.toml'), 'utf8'), new RegExp(`\\[host\\."${cache.url}"\\]`));

    const image = `${upstream.host}/team/tools:v1`;
    const pulled = await cli('pull', image);
    assert.equal(pulled.code, 0, pulled.stderr);
    const [viaMirror] = await client().recentPulls.query({ limit: 5 });
    assert.equal(viaMirror?.reference, image);
    assert.equal(viaMirror?.endpoint, cache.url);
    assert.equal(viaMirror?.mirror, true);
    assert.equal(viaMirror?.ok, true);

    await client().set.mutate({ registry: upstream.host, mirrors: [], insecure: false, ca: null });
    assert.equal(existsSync(dir), false, 'a registry with nothing left loses its directory');
    const again = await cli('pull', image);
    assert.equal(again.code, 0, again.stderr);
    const [direct] = await client().recentPulls.query({ limit: 1 });
    assert.equal(direct?.endpoint, upstream.url);
    assert.equal(direct?.mirror, false);
  });

  // Mirrors on 127.0.0.0/8 only: the agent probes every mirror it is given.
  test("Docker Hub's mirrors go to daemon.json registry-mirrors; one needing TLS settings moves them all to hosts.toml, in order", async () => {
    await client().set.mutate({
      registry: 'docker.io',
      mirrors: [{ url: 'http://127.0.0.1:9' }, { url: 'https://127.0.0.2:5000' }],
      insecure: false,
      ca: null,
    });
    let onDisk = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(onDisk['registry-mirrors'], ['http://127.0.0.1:9', 'https://127.0.0.2:5000']);
    let hub = (await client().list.query()).registries[0];
    assert.equal(hub?.registry, 'docker.io');
    assert.deepEqual(
      hub?.mirrors.map((m) => m.source),
      ['daemon.json', 'daemon.json'],
    );
    // The live config took it too: `info` lists the mirrors.
    const info = await cli('info', '--format', '{{json .RegistryConfig.Mirrors}}');
    assert.deepEqual(JSON.parse(info.stdout), ['http://127.0.0.1:9/', 'https://127.0.0.2:5000/']);

    await client().set.mutate({
      registry: 'docker.io',
      mirrors: [{ url: 'http://127.0.0.1:9' }, { url: 'https://127.0.0.2:5000', skipVerify: true }],
      insecure: false,
      ca: null,
    });
    onDisk = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    assert.equal(onDisk['registry-mirrors'], undefined);
    hub = (await client().list.query()).registries[0];
    assert.deepEqual(
      hub?.mirrors.map((m) => [m.url, m.source, m.skipVerify]),
      [
        ['http://127.0.0.1:9', 'hosts.toml', false],
        ['https://127.0.0.2:5000', 'hosts.toml', true],
      ],
    );
    await client().set.mutate({ registry: 'docker.io', mirrors: [], insecure: false, ca: null });
    hub = (await client().list.query()).registries[0];
    assert.deepEqual(hub?.mirrors, []);
    assert.equal(existsSync(join(certsDir, 'docker.io')), false);
  });

  test('insecure and CA files: listed in insecure-registries, ca.crt and a mirror CA written beside hosts.toml; a bad certificate changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stevedore-ca-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const ca = testCaPem(dir);
    const registry = 'registry.example.test:5000';
    const result = await client().set.mutate({
      registry,
      mirrors: [{ url: 'https://127.0.0.3:5443', ca }],
      insecure: true,
      ca,
    });
    assert.equal(result.insecureReason, 'listed');
    assert.equal(result.ca?.trim(), ca.trim());
    assert.equal(result.mirrors[0]?.ca?.trim(), ca.trim());
    const onDisk = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(onDisk['insecure-registries'], [registry]);
    const files = readdirSync(join(certsDir, registry)).sort();
    assert.equal(files.length, 3, files.join(', '));
    assert.ok(files.includes('ca.crt') && files.includes('hosts.toml'));
    assert.ok(files.some((f) => /^mirror-[0-9a-f]{12}\.pem$/.test(f)));

    const before = readFileSync(join(certsDir, registry, 'hosts.toml'), 'utf8');
    await assert.rejects(
      client().set.mutate({
        registry,
        mirrors: [],
        insecure: false,
        ca: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----',
      }),
      /not a readable PEM certificate/,
    );
    assert.equal(readFileSync(join(certsDir, registry, 'hosts.toml'), 'utf8'), before);
    assert.deepEqual(
      (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>)['insecure-registries'],
      [registry],
    );
    await assert.rejects(
      client().set.mutate({ registry, mirrors: [{ url: 'ftp://nope' }], insecure: false, ca: null }),
      /http:\/\/ or https:\/\//,
    );

    await client().set.mutate({ registry, mirrors: [], insecure: false, ca: null });
    assert.equal(existsSync(join(certsDir, registry)), false);
    assert.equal(
      (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>)['insecure-registries'],
      undefined,
    );
    assert.equal(
      (await client().list.query()).registries.some((r) => r.registry === registry),
      false,
    );
  });

  test('a hand-written hosts.toml keeps what the form does not show: a push-only entry, headers, CA paths stay paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stevedore-ca-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const caFile = join(dir, 'ca.pem');
    const ca = testCaPem(dir);
    const registry = 'handwritten.example.test:5000';
    const registryDir = join(certsDir, registry);
    mkdirSync(registryDir, { recursive: true });
    const toml = join(registryDir, 'hosts.toml');
    writeFileSync(
      toml,
      [
        '# Kept by ops.',
        'server = "http://127.0.0.1:9"',
        `ca = "${caFile}"`,
        '',
        '[host."http://127.0.0.1:10"]',
        'capabilities = ["push"]',
        '',
        '[host."http://127.0.0.1:11"]',
        'capabilities = ["pull", "resolve"]',
        `ca = "${caFile}"`,
        '[host."http://127.0.0.1:11".header]',
        'x-team = ["infra"]',
        '',
      ].join('\n'),
    );
    const read = (await client().list.query()).registries.find((r) => r.registry === registry);
    assert.equal(read?.ca?.trim(), ca.trim(), 'the CA path is read');
    assert.ok(read);
    // The form sends back what it read, with one mirror added.
    await client().set.mutate({
      registry,
      mirrors: [
        ...read.mirrors.map((m) => ({ url: m.url, ca: m.ca, skipVerify: m.skipVerify })),
        { url: 'http://127.0.0.1:12' },
      ],
      insecure: false,
      ca: read.ca,
      skipVerify: read.skipVerify,
    });
    const text = readFileSync(toml, 'utf8');
    const written = JSON.parse(JSON.stringify(parseToml(text))) as Record<string, unknown>;
    assert.ok(text.startsWith('# Kept by ops.'), text);
    assert.deepEqual(written, {
      server: 'http://127.0.0.1:9',
      ca: caFile,
      host: {
        'http://127.0.0.1:10': { capabilities: ['push'] },
        'http://127.0.0.1:11': {
          capabilities: ['pull', 'resolve'],
          ca: caFile,
          header: { 'x-team': ['infra'] },
        },
        'http://127.0.0.1:12': { capabilities: ['pull', 'resolve'] },
      },
    });
    assert.deepEqual(readdirSync(registryDir), ['hosts.toml'], 'no CA copied beside it');

    // Removing the mirrors leaves the push entry and server: the file stays.
    await client().set.mutate({ registry, mirrors: [], insecure: false, ca: read.ca });
    const left = JSON.parse(JSON.stringify(parseToml(readFileSync(toml, 'utf8')))) as Record<string, unknown>;
    assert.deepEqual(left, {
      server: 'http://127.0.0.1:9',
      ca: caFile,
      host: { 'http://127.0.0.1:10': { capabilities: ['push'] } },
    });
    rmSync(registryDir, { recursive: true, force: true });
  });

  test('mirror health: a probe now records each mirror up (with latency) or down; a removed mirror is forgotten', async () => {
    const deadPort = await freePort();
    const dead = `http://127.0.0.1:${deadPort}`;
    await client().set.mutate({
      registry: upstream.host,
      mirrors: [{ url: cache.url }, { url: dead }],
      insecure: false,
      ca: null,
    });
    const report = await client().probe.mutate();
    assert.equal(report.intervalMs, 30_000);
    const byUrl = new Map(report.mirrors.map((m) => [m.url, m]));
    const up = byUrl.get(cache.url)?.probes.at(-1);
    const down = byUrl.get(dead)?.probes.at(-1);
    assert.equal(up?.ok, true);
    assert.ok(typeof up?.latencyMs === 'number' && up.latencyMs >= 0);
    assert.equal(down?.ok, false);
    assert.match(down?.error ?? '', /ECONNREFUSED/);
    const second = await client().probe.mutate();
    assert.ok((second.mirrors.find((m) => m.url === cache.url)?.probes.length ?? 0) >= 2, 'history grows');

    await client().set.mutate({ registry: upstream.host, mirrors: [], insecure: false, ca: null });
    const after = await client().probe.mutate();
    assert.deepEqual(
      after.mirrors.filter((m) => m.registry === upstream.host),
      [],
    );
    assert.deepEqual(
      (await client().health.query()).mirrors.filter((m) => m.registry === upstream.host),
      [],
    );
  });

  test('probe history and recent pulls survive an agent restart, even a kill -9; a damaged state file is a warning, not a failure', async () => {
    await client().set.mutate({
      registry: upstream.host,
      mirrors: [{ url: cache.url }],
      insecure: false,
      ca: null,
    });
    await client().probe.mutate();
    await client().probe.mutate();
    const pulled = await cli('pull', `${upstream.host}/team/tools:v1`);
    assert.equal(pulled.code, 0, pulled.stderr);
    const probesBefore =
      (await client().health.query()).mirrors.find((m) => m.url === cache.url)?.probes ?? [];
    assert.ok(probesBefore.length >= 2);
    const pullsBefore = await client().recentPulls.query({ limit: 100 });
    assert.equal(pullsBefore[0]?.endpoint, cache.url);

    await connection.close();
    await agent.kill9();
    const stateDir = join(agent.dataRoot, 'registries');
    const cutOff = readdirSync(stateDir).filter((name) => name.endsWith('.tmp'));
    await agent.restart();
    connection = await connectAgentOnce({ host: agent.host });
    const probesAfter =
      (await client().health.query()).mirrors.find((m) => m.url === cache.url)?.probes ?? [];
    // The round at start-up may have added one: the saved ones come first, unchanged.
    assert.deepEqual(probesAfter.slice(0, probesBefore.length), probesBefore);
    assert.deepEqual(await client().recentPulls.query({ limit: 100 }), pullsBefore);
    // Writes cut off by the kill are removed at start; the start-up round may be saving right now.
    const files = readdirSync(stateDir);
    assert.deepEqual(files.filter((name) => !name.endsWith('.tmp')).sort(), [
      'mirror-health.json',
      'recent-pulls.json',
    ]);
    for (const name of cutOff)
      assert.ok(!files.includes(name), `${name}, cut off by the kill, is still there`);

    await connection.close();
    await agent.kill9();
    writeFileSync(join(stateDir, 'mirror-health.json'), '[{"registry": "torn');
    writeFileSync(join(stateDir, 'recent-pulls.json'), '[{"reference": 1}]');
    const restartedAt = Date.now();
    await agent.restart();
    connection = await connectAgentOnce({ host: agent.host });
    const fresh = (await client().health.query()).mirrors.find((m) => m.url === cache.url)?.probes ?? [];
    assert.ok(
      fresh.every((probe) => probe.at >= restartedAt),
      'nothing from the damaged file',
    );
    assert.deepEqual(await client().recentPulls.query({ limit: 100 }), []);
    assert.match(agent.logs(), /state file is damaged/);
    await client().set.mutate({ registry: upstream.host, mirrors: [], insecure: false, ca: null });
  });
});
