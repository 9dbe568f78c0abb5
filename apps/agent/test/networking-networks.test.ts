import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { connectAgentOnce } from '@stevedore/agent-api';
import { freePort } from '../../../scripts/free-port.mjs';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { runCli } from './harness/cli-process.js';
import {
  fetchText,
  httpd,
  iptablesSave,
  links,
  sh,
  useNetworkingAgent,
} from './harness/networking-fixture.js';
import { until } from './harness/until.js';

describe('networking: bridge networks, user networks and their DNS, iptables backends, agents side by side', () => {
  const net = useNetworkingAgent();
  const { cli, runDetached, served, wgetIn, remote } = net;

  test('the default bridge exists with the configured address, and its chains are hooked once', async () => {
    const bridge = await net.client.networks.inspect.query({ network: 'bridge' });
    const name = bridge.Options['com.docker.network.bridge.name'] as string;
    assert.ok(links().includes(name), `bridge ${name} exists`);
    const saved = iptablesSave();
    const jumps = saved
      .split('\n')
      .filter((line) => /^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) .*-j STEVEDORE-/.test(line));
    assert.ok(jumps.length >= 4, saved);
    // A restart reconciles: same bridge, same subnet, no second set of jumps.
    const before = jumps.length;
    await net.agent.restart();
    await net.connectClient();
    const again = await net.client.networks.inspect.query({ network: 'bridge' });
    assert.deepEqual(again.IPAM.Config, bridge.IPAM.Config);
    const after = iptablesSave()
      .split('\n')
      .filter((line) => /^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) .*-j STEVEDORE-/.test(line));
    assert.equal(after.length, before);
  });

  test('user networks: names and aliases resolve, other names go upstream, networks are isolated', async () => {
    const created = await cli('network', 'create', '--subnet', '10.98.7.0/24', 'appnet');
    assert.equal(created.code, 0, created.stderr);
    const ls = await cli('network', 'ls', '--format', '{{.Name}} {{.Driver}}');
    assert.deepEqual(ls.stdout.trim().split('\n'), [
      'appnet bridge',
      'bridge bridge',
      'host host',
      'none null',
    ]);
    await runDetached(
      '--name',
      'api',
      '--network',
      'appnet',
      '--network-alias',
      'backend',
      '--ip',
      '10.98.7.50',
      net.image,
      ...httpd('hello-api'),
    );
    const byName = await wgetIn(['--network', 'appnet'], 'http://api/');
    assert.equal(byName.stdout.trim(), 'hello-api', byName.stderr);
    const byAlias = await wgetIn(['--network', 'appnet'], 'http://backend/');
    assert.equal(byAlias.stdout.trim(), 'hello-api', byAlias.stderr);
    const upstream = await cli(
      'run',
      '--rm',
      '--network',
      'appnet',
      net.image,
      'nslookup',
      'upstream.stevedore.test',
    );
    assert.match(upstream.stdout, /10\.9\.9\.9/, upstream.stderr);
    const inspect = await net.client.networks.inspect.query({ network: 'appnet' });
    assert.deepEqual(
      Object.values(inspect.Containers).map((c) => [c.Name, c.IPv4Address]),
      [['api', '10.98.7.50/24']],
    );

    // Another container asking for the same address is refused.
    const taken = await cli('run', '--rm', '--network', 'appnet', '--ip', '10.98.7.50', net.image, 'true');
    assert.equal(taken.code, 125);
    assert.match(taken.stderr, /address 10\.98\.7\.50 is already in use on network appnet/);

    // The default bridge cannot reach a container on appnet.
    const isolated = await wgetIn([], 'http://10.98.7.50/');
    assert.notEqual(isolated.code, 0);
    assert.equal(isolated.stdout.trim(), '');

    // connect: a second interface appears live; disconnect removes it.
    await runDetached('--name', 'client', net.image, 'sleep', '300');
    const connected = await cli('network', 'connect', '--alias', 'cli', 'appnet', 'client');
    assert.equal(connected.code, 0, connected.stderr);
    const viaEth1 = await cli(
      'exec',
      'client',
      'timeout',
      '3',
      'wget',
      '-q',
      '-O',
      '-',
      'http://10.98.7.50/',
    );
    assert.equal(viaEth1.stdout.trim(), 'hello-api', viaEth1.stderr);
    const addresses = await cli('exec', 'client', 'ip', '-4', '-o', 'addr');
    assert.match(addresses.stdout, /eth1\s+inet 10\.98\.7\./);
    const disconnected = await cli('network', 'disconnect', 'appnet', 'client');
    assert.equal(disconnected.code, 0, disconnected.stderr);
    const after = await cli('exec', 'client', 'ip', '-4', '-o', 'addr');
    assert.doesNotMatch(after.stdout, /eth1/);

    const busy = await cli('network', 'rm', 'appnet');
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /has active endpoints/);
    const bridgeName = inspect.Options['com.docker.network.bridge.name'] as string;
    await cli('rm', '-f', 'api', 'client');
    const removed = await cli('network', 'rm', 'appnet');
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!links().includes(bridgeName), 'bridge removed with the network');
    assert.ok(!iptablesSave().includes(bridgeName), 'rules of the network removed');
    await cli('network', 'create', 'spare');
    const pruned = await cli('network', 'prune', '-f');
    assert.equal(pruned.stdout.trim(), 'Deleted Networks:\nspare');
    for (const fixed of ['bridge', 'host', 'none']) {
      const refused = await cli('network', 'rm', fixed);
      assert.match(refused.stderr, new RegExp(`${fixed} is a pre-defined network and cannot be removed`));
    }
  });

  test('--internal networks have no route out; a bridge container reaches the other host', async () => {
    remote.serve('hello-remote');
    const out = await until('the remote server', async () => {
      const result = await wgetIn([], `http://${remote.remoteAddress}:8080/`);
      return result.stdout.trim() === 'hello-remote' ? result : null;
    });
    assert.equal(out.code, 0);
    await cli('network', 'create', '--internal', 'sealed');
    const routes = await cli('run', '--rm', '--network', 'sealed', net.image, 'ip', 'route');
    assert.doesNotMatch(routes.stdout, /default/);
    const blocked = await wgetIn(['--network', 'sealed'], `http://${remote.remoteAddress}:8080/`);
    assert.notEqual(blocked.code, 0);
    await cli('network', 'rm', 'sealed');
  });

  test('a second agent on the same machine: its own bridge, subnet and chains; --cleanup removes only its own', async () => {
    const second = await startAgent();
    const secondConnection = await connectAgentOnce({ host: second.host });
    const secondClient = secondConnection.client;
    try {
      const cli2 = (...args: string[]) => runCli(['-H', second.host, ...args]);
      assert.equal((await cli2('pull', '-q', net.image)).code, 0);
      const port1 = await freePort();
      const port2 = await freePort();
      await runDetached('--name', 'one', '-p', `${port1}:80`, net.image, ...httpd('from-agent-1'));
      const run2 = await cli2(
        'run',
        '-d',
        '--name',
        'two',
        '-p',
        `${port2}:80`,
        net.image,
        ...httpd('from-agent-2'),
      );
      assert.equal(run2.code, 0, run2.stderr);
      assert.equal(await served(port1), 'from-agent-1');
      assert.equal(await served(port2), 'from-agent-2');
      const first = await net.client.networks.inspect.query({ network: 'bridge' });
      const other = await secondClient.networks.inspect.query({ network: 'bridge' });
      assert.notEqual(
        first.Options['com.docker.network.bridge.name'],
        other.Options['com.docker.network.bridge.name'],
      );
      assert.notDeepEqual(first.IPAM.Config, other.IPAM.Config);
      // Chains are named after each agent's exec-root; other agents may come and go on this machine.
      const chainsOf = (owner: AgentProcess) => {
        const suffix = createHash('sha256').update(owner.execRoot).digest('hex').slice(0, 8);
        return iptablesSave()
          .split('\n')
          .filter((l) => l.startsWith(':STEVEDORE-') && l.split(' ')[0]!.endsWith(`-${suffix}`));
      };
      assert.equal(chainsOf(net.agent).length, 3);
      assert.equal(chainsOf(second).length, 3);

      await secondConnection.close();
      await second.stop();
      const secondBridge = other.Options['com.docker.network.bridge.name'] as string;
      assert.ok(!links().includes(secondBridge), 'the second bridge is gone');
      assert.equal(chainsOf(second).length, 0, "the second agent's chains are gone");
      assert.equal(chainsOf(net.agent).length, 3, "the first agent's chains are kept");
      assert.equal(await fetchText(`http://127.0.0.1:${port2}/`), null);
      assert.equal(
        (await fetchText(`http://127.0.0.1:${port1}/`))?.trim(),
        'from-agent-1',
        'agent 1 untouched',
      );
      await cli('rm', '-f', 'one');
    } finally {
      await secondConnection.close();
      await second.stop();
    }
  });

  test('the legacy iptables backend works the same (STEVEDORE_IPTABLES=legacy)', async () => {
    const legacy = await startAgent({ env: { STEVEDORE_IPTABLES: 'legacy' } });
    try {
      const cliLegacy = (...args: string[]) => runCli(['-H', legacy.host, ...args]);
      assert.equal((await cliLegacy('pull', '-q', net.image)).code, 0);
      const port = await freePort();
      const run = await cliLegacy(
        'run',
        '-d',
        '--name',
        'old',
        '-p',
        `127.0.0.1:${port}:80`,
        net.image,
        ...httpd('legacy'),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await served(port), 'legacy');
      const legacyRules = sh('iptables-legacy-save', []).stdout;
      assert.ok(legacyRules.includes(`--dport ${port} `), 'the DNAT rule is in the legacy tables');
      assert.ok(!sh('iptables-nft-save', []).stdout.includes(`--dport ${port} `), 'and not in the nft ones');
      assert.equal((await cliLegacy('rm', '-f', 'old')).code, 0);
      assert.ok(!sh('iptables-legacy-save', []).stdout.includes(`--dport ${port} `));
    } finally {
      await legacy.stop();
    }
    assert.ok(
      !sh('iptables-legacy-save', []).stdout.includes(':STEVEDORE-'),
      'cleanup removed the legacy chains',
    );
  });

  test('containers on the default bridge use the --dns servers; on a user network, its DNS', async () => {
    const onBridge = await cli('run', '--rm', net.image, 'cat', '/etc/resolv.conf');
    assert.match(onBridge.stdout, /^nameserver 127\.0\.0\.153$/m, onBridge.stderr);
    await cli('network', 'create', '--subnet', '10.98.9.0/24', 'dnsnet');
    const onNetwork = await cli('run', '--rm', '--network', 'dnsnet', net.image, 'cat', '/etc/resolv.conf');
    assert.match(onNetwork.stdout, /^nameserver 127\.0\.0\.11$/m, onNetwork.stderr);
    assert.doesNotMatch(onNetwork.stdout, /127\.0\.0\.153/);
    await cli('network', 'rm', 'dnsnet');
  });
});
