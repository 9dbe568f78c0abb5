import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { iptablesSave, sh, startUpstreamDns, useNetworkingAgent } from './harness/networking-fixture.js';

/** A DNS-over-TCP query for `name` (A) as printf's octal escapes, to pipe into busybox nc. */
function tcpQueryEscapes(name: string): string {
  const query = dnsPacket.encode({
    id: 0x1234,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', name }],
  });
  const framed = Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]);
  return [...framed].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
}

describe('networking: container DNS as Docker does it (127.0.0.11 on user networks, ndots:0, --dns forwarded)', () => {
  const net = useNetworkingAgent();
  const { cli, runDetached } = net;

  test('members resolve each other by name and alias through 127.0.0.11 (UDP and TCP) and resolv.conf; rules go with the namespace', async (t) => {
    const created = await cli('network', 'create', '--subnet', '10.98.11.0/24', 'dnsnet1');
    assert.equal(created.code, 0, created.stderr);
    t.after(async () => {
      await cli('rm', '-f', 'dns-a', 'dns-b');
      await cli('network', 'rm', 'dnsnet1');
    });
    const a = await runDetached(
      '--name',
      'dns-a',
      '--network',
      'dnsnet1',
      '--ip',
      '10.98.11.20',
      net.image,
      'sleep',
      '300',
    );
    const b = await runDetached(
      '--name',
      'dns-b',
      '--network',
      'dnsnet1',
      '--network-alias',
      'bee',
      '--ip',
      '10.98.11.30',
      net.image,
      'sleep',
      '300',
    );

    const resolv = await cli('exec', 'dns-a', 'cat', '/etc/resolv.conf');
    assert.match(resolv.stdout, /^nameserver 127\.0\.0\.11$/m, resolv.stderr);
    assert.match(resolv.stdout, /^options (.* )?ndots:0$/m);
    assert.doesNotMatch(resolv.stdout, /10\.98\.11\.1/);

    for (const [from, name, address] of [
      ['dns-a', 'dns-b', '10.98.11.30'],
      ['dns-a', 'bee', '10.98.11.30'],
      ['dns-b', 'dns-a', '10.98.11.20'],
    ] as const) {
      const explicit = await cli('exec', from, 'nslookup', name, '127.0.0.11');
      assert.equal(explicit.code, 0, `${from} → ${name}: ${explicit.stdout}${explicit.stderr}`);
      assert.match(explicit.stdout, new RegExp(`Address:\\s+${address.replaceAll('.', '\\.')}$`, 'm'));
      const viaResolvConf = await cli('exec', from, 'nslookup', name);
      assert.equal(viaResolvConf.code, 0, viaResolvConf.stderr);
      assert.match(viaResolvConf.stdout, /Server:\s+127\.0\.0\.11/);
      assert.match(viaResolvConf.stdout, new RegExp(`Address:\\s+${address.replaceAll('.', '\\.')}$`, 'm'));
    }
    // TCP: the answer to a framed query for dns-b ends with its address.
    const overTcp = await cli(
      'exec',
      'dns-a',
      'sh',
      '-c',
      `printf '${tcpQueryEscapes('dns-b')}' | nc -w 2 127.0.0.11 53 | od -An -tu1`,
    );
    assert.equal(overTcp.code, 0, overTcp.stderr);
    assert.match(overTcp.stdout.trim(), /10\s+98\s+11\s+30$/, overTcp.stdout);
    // Other names still go upstream (the agent's --dns 127.0.0.153).
    const upstream = await cli('exec', 'dns-a', 'nslookup', 'upstream.stevedore.test');
    assert.match(upstream.stdout, /10\.9\.9\.9/, upstream.stderr);

    // The redirect lives in the container's namespace, never on the host.
    const namespace = `${net.agent.execRoot}/netns/${a}`;
    const inside = sh('nsenter', [`--net=${namespace}`, 'iptables-save', '-t', 'nat']);
    assert.equal(inside.status, 0, inside.stderr);
    assert.match(inside.stdout, /-d 127\.0\.0\.11\/32 -p udp .*--to-destination 10\.98\.11\.1:53/);
    assert.match(inside.stdout, /-d 127\.0\.0\.11\/32 -p tcp .*--to-destination 10\.98\.11\.1:53/);
    assert.doesNotMatch(iptablesSave(), /127\.0\.0\.11/);

    const removed = await cli('rm', '-f', 'dns-a', 'dns-b');
    assert.equal(removed.code, 0, removed.stderr);
    for (const id of [a, b]) assert.ok(!existsSync(`${net.agent.execRoot}/netns/${id}`), 'namespace removed');
    const gone = sh('nsenter', [`--net=${namespace}`, 'iptables-save', '-t', 'nat']);
    assert.notEqual(gone.status, 0, 'no namespace left to hold rules');
    assert.doesNotMatch(iptablesSave(), /127\.0\.0\.11/);
  });

  test('--dns on a user network: resolv.conf keeps 127.0.0.11 and the resolver forwards to the given server for that container only', async (t) => {
    const stopOwn = await startUpstreamDns('127.0.0.154', { name: 'own.stevedore.test', ip: '10.9.9.10' });
    t.after(async () => {
      stopOwn();
      await cli('rm', '-f', 'dns-own', 'dns-plain');
      await cli('network', 'rm', 'dnsnet2');
    });
    await cli('network', 'create', '--subnet', '10.98.12.0/24', 'dnsnet2');
    await runDetached(
      '--name',
      'dns-own',
      '--network',
      'dnsnet2',
      '--dns',
      '127.0.0.154',
      '--dns-search',
      'stevedore.test',
      '--dns-option',
      'timeout:2',
      net.image,
      'sleep',
      '300',
    );
    await runDetached('--name', 'dns-plain', '--network', 'dnsnet2', net.image, 'sleep', '300');

    const resolv = await cli('exec', 'dns-own', 'cat', '/etc/resolv.conf');
    assert.equal(resolv.stdout, 'search stevedore.test\nnameserver 127.0.0.11\noptions timeout:2 ndots:0\n');
    const own = await cli('exec', 'dns-own', 'nslookup', 'own.stevedore.test');
    assert.equal(own.code, 0, own.stdout + own.stderr);
    assert.match(own.stdout, /10\.9\.9\.10/);
    // Its upstream is the given server instead of the agent's.
    const notTheAgents = await cli('exec', 'dns-own', 'nslookup', 'upstream.stevedore.test');
    assert.doesNotMatch(notTheAgents.stdout, /10\.9\.9\.9/);
    // A neighbour without --dns still uses the agent's upstream.
    const plain = await cli('exec', 'dns-plain', 'nslookup', 'own.stevedore.test');
    assert.doesNotMatch(plain.stdout, /10\.9\.9\.10/);
    const plainUpstream = await cli('exec', 'dns-plain', 'nslookup', 'upstream.stevedore.test');
    assert.match(plainUpstream.stdout, /10\.9\.9\.9/, plainUpstream.stderr);
  });

  test('the default bridge keeps the host side: no 127.0.0.11, no redirect in the namespace', async (t) => {
    t.after(() => cli('rm', '-f', 'dns-bridge'));
    const id = await runDetached('--name', 'dns-bridge', net.image, 'sleep', '300');
    const resolv = await cli('exec', 'dns-bridge', 'cat', '/etc/resolv.conf');
    assert.match(resolv.stdout, /^nameserver 127\.0\.0\.153$/m, resolv.stderr);
    assert.doesNotMatch(resolv.stdout, /127\.0\.0\.11|ndots/);
    const inside = sh('nsenter', [`--net=${net.agent.execRoot}/netns/${id}`, 'iptables-save', '-t', 'nat']);
    assert.equal(inside.status, 0, inside.stderr);
    assert.doesNotMatch(inside.stdout, /127\.0\.0\.11/);
  });
});
