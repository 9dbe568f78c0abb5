import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCidr } from '@stevedore/shared';
import { macForAddress, pickAddress } from './ipam.js';
import { agentChains, networkRules, portRules, restoreScript } from './iptables/rules.js';
import { pickFreeSubnet } from './subnet-picker.js';

const pool = (taken: string[]) => ({
  Name: 'n',
  Subnet: '10.0.0.0/29',
  Gateway: '10.0.0.1',
  taken: new Set(taken),
});

test('IPAM gives the lowest free host address, never the gateway, network or broadcast', () => {
  assert.equal(pickAddress(pool([])), '10.0.0.2');
  assert.equal(pickAddress(pool(['10.0.0.2', '10.0.0.3'])), '10.0.0.4');
  assert.throws(
    () => pickAddress(pool(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'])),
    /no free address left/,
  );
  assert.equal(pickAddress(pool([]), '10.0.0.6'), '10.0.0.6');
  assert.throws(() => pickAddress(pool(['10.0.0.6']), '10.0.0.6'), /already in use on network n/);
  for (const refused of ['10.0.0.1', '10.0.0.0', '10.0.0.7', '10.0.1.2']) {
    assert.throws(() => pickAddress(pool([]), refused), /cannot be given out on network n/);
  }
  assert.equal(macForAddress('172.17.0.2'), '02:42:ac:11:00:02');
});

test('a default subnet avoids host routes and networks in use', () => {
  const pools = [
    { base: '172.17.0.0/16', size: 16 },
    { base: '172.18.0.0/15', size: 16 },
  ];
  const used = [parseCidr('172.17.5.0/24')!.subnet, parseCidr('172.0.0.0/15')!.subnet];
  assert.deepEqual(pickFreeSubnet(pools, used), parseCidr('172.18.0.0/16')!.subnet);
  assert.equal(pickFreeSubnet(pools, [parseCidr('172.16.0.0/12')!.subnet]), null);
});

test('iptables rules: isolation first, one restore script per table, deletes mirror adds', () => {
  const chains = agentChains('abcd1234');
  assert.equal(chains.dnat, 'STEVEDORE-abcd1234');
  const rules = networkRules(chains, { bridge: 'br1', subnet: '10.1.0.0/24', internal: false });
  const forward = rules.filter((r) => r.table === 'filter');
  // Inserted at the top in reverse, so the chain reads: established, intra, DNAT, drop; then the way out.
  assert.deepEqual(
    forward.filter((r) => r.top).map((r) => r.spec),
    [
      '-o br1 -j DROP',
      '-o br1 -m conntrack --ctstate DNAT -j ACCEPT',
      '-i br1 -o br1 -j ACCEPT',
      '-o br1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ],
  );
  assert.deepEqual(
    forward.filter((r) => !r.top).map((r) => r.spec),
    ['-i br1 ! -o br1 -j ACCEPT'],
  );
  const internal = networkRules(chains, { bridge: 'br2', subnet: '10.2.0.0/24', internal: true });
  assert.ok(
    !internal.some((r) => r.spec.includes('-s 10.2.0.0/24')),
    'no masquerade out of an internal network',
  );
  assert.ok(internal.some((r) => r.spec === '-i br2 -j DROP'));

  const ports = portRules(chains, '10.1.0.2', [
    { ContainerPort: 80, Protocol: 'tcp', HostIp: '127.0.0.1', HostPort: 8080 },
  ]);
  const added = restoreScript('add', ports);
  assert.equal(
    added,
    '*nat\n-A STEVEDORE-abcd1234 -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80\n' +
      '-A STEVEDORE-POST-abcd1234 -s 10.1.0.2/32 -d 10.1.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE\nCOMMIT\n',
  );
  assert.equal(restoreScript('delete', ports), added.replaceAll('-A ', '-D '));
  assert.equal(restoreScript('add', []), '');
});
