import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import { freePort } from '../../../scripts/free-port.mjs';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';

describe('config.get / config.update: daemon.json changed over the API, live where it can be', () => {
  let agent: AgentProcess;
  let connection: AgentConnection;
  const configFile = () => join(agent.dataRoot, '..', 'daemon.json');

  before(async () => {
    agent = await startAgent({ config: { 'log-opts': { 'max-size': '10m' } } });
    connection = await connectAgentOnce({ host: agent.host });
  });
  after(async () => {
    await connection?.close();
    await agent?.stop();
  });

  test('registry mirrors and insecure registries apply at once; info shows them; the file is rewritten', async () => {
    const result = await connection.client.config.update.mutate({
      settings: {
        'registry-mirrors': ['https://mirror.example.test:5000'],
        'insecure-registries': ['10.9.0.0/16'],
      },
    });
    assert.deepEqual(result.applied.sort(), ['insecure-registries', 'registry-mirrors']);
    assert.deepEqual(result.restartRequired, []);
    const info = await agentCli(agent.host).cli('info', '--format', '{{json .RegistryConfig}}');
    const registry = JSON.parse(info.stdout) as { Mirrors: string[]; InsecureRegistryCIDRs: string[] };
    assert.deepEqual(registry.Mirrors, ['https://mirror.example.test:5000/']);
    assert.ok(registry.InsecureRegistryCIDRs.includes('10.9.0.0/16'));
    const onDisk = JSON.parse(readFileSync(configFile(), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(onDisk['log-opts'], { 'max-size': '10m' }, 'the keys not changed are kept');
    assert.deepEqual(onDisk['registry-mirrors'], ['https://mirror.example.test:5000']);
    assert.deepEqual((await connection.client.config.get.query()).settings['registry-mirrors'], [
      'https://mirror.example.test:5000',
    ]);
  });

  test('settings that need a restart say so; null removes a key', async () => {
    const result = await connection.client.config.update.mutate({
      settings: { bip: '10.123.0.1/24', 'log-opts': null },
    });
    assert.deepEqual(result.restartRequired, ['bip']);
    assert.deepEqual(result.applied, ['log-opts']);
    const onDisk = JSON.parse(readFileSync(configFile(), 'utf8')) as Record<string, unknown>;
    assert.equal(onDisk['log-opts'], undefined);
    assert.equal(onDisk.bip, '10.123.0.1/24');
  });

  test('bad values and unknown keys are refused naming the key, and the file is left as it was', async () => {
    const before = readFileSync(configFile(), 'utf8');
    await assert.rejects(
      connection.client.config.update.mutate({ settings: { 'registry-mirrors': ['not a url'] } }),
      /invalid value for "registry-mirrors\[0\]"/,
    );
    await assert.rejects(
      connection.client.config.update.mutate({ settings: { 'registry-mirror': ['https://m'] } }),
      /don't match any configuration option: registry-mirror/,
    );
    await assert.rejects(
      connection.client.config.update.mutate({ settings: { bip: '300.1.1.1/24' } }),
      /invalid value "300\.1\.1\.1\/24" for "bip": must be an IPv4 CIDR/,
    );
    assert.equal(readFileSync(configFile(), 'utf8'), before);
  });
});

describe('registries.probe of one registry: every mirror and the upstream, probed', () => {
  test('a live registry answers with its latency; a dead mirror is reported unreachable; config changes apply', async () => {
    const { startRegistry } = await import('./harness/registry.js');
    const registry = await startRegistry();
    const deadPort = await freePort();
    const agent = await startAgent();
    const connection = await connectAgentOnce({ host: agent.host });
    try {
      const { endpoints: direct = [] } = await connection.client.registries.probe.mutate({
        registry: registry.host,
        upstream: true,
      });
      assert.equal(direct.length, 1);
      assert.equal(direct[0]!.url, `http://${registry.host}`);
      assert.equal(direct[0]!.reachable, true);
      assert.equal(direct[0]!.tls, 'plain', 'loopback registries are plain HTTP');
      assert.equal(direct[0]!.auth, 'none');
      assert.ok((direct[0]!.latencyMs ?? -1) >= 0);

      await connection.client.config.update.mutate({
        settings: { 'registry-mirrors': [`http://127.0.0.1:${deadPort}`, `http://${registry.host}`] },
      });
      // Mirrors only: the upstream (registry-1.docker.io) is outside what tests may reach.
      const report = await connection.client.registries.probe.mutate({ registry: 'docker.io' });
      const hub = report.endpoints ?? [];
      assert.equal(hub.length, 2);
      const [dead, live] = hub;
      assert.equal(dead!.mirror, true);
      assert.equal(dead!.reachable, false);
      assert.match(dead!.error ?? '', /ECONNREFUSED/);
      assert.equal(live!.reachable, true, 'the second mirror answers');
      // The mirrors' results join their probe history.
      assert.deepEqual(
        report.mirrors.filter((m) => m.registry === 'docker.io').map((m) => [m.url, m.probes.at(-1)?.ok]),
        [
          [`http://127.0.0.1:${deadPort}`, false],
          [`http://${registry.host}`, true],
        ],
      );
    } finally {
      await connection.close();
      await agent.stop();
      await registry.stop();
    }
  });
});
