import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv4, isAssignable, parseCidr, parseIpv4, splitPool, subnetsOverlap } from './ipv4.js';
import { NetworkCreateSchema, parseExposeSpec, parsePublishSpec } from './networks.js';

test('IPv4 parsing and subnet arithmetic', () => {
  assert.equal(parseIpv4('10.1.2.3'), 0x0a010203);
  assert.equal(parseIpv4('256.1.1.1'), null);
  assert.equal(formatIpv4(0xac110001), '172.17.0.1');
  const parsed = parseCidr('172.17.0.1/16');
  assert.deepEqual(parsed?.subnet, { network: 0xac110000, prefix: 16 });
  assert.equal(parseCidr('172.17.0.1'), null);
  const subnet = parseCidr('10.0.0.0/30')?.subnet as { network: number; prefix: number };
  const gateway = parseIpv4('10.0.0.1') as number;
  assert.deepEqual(
    [0, 1, 2, 3].map((last) => isAssignable(subnet, gateway, (parseIpv4('10.0.0.0') as number) + last)),
    [false, false, true, false],
  );
  assert.ok(subnetsOverlap(parseCidr('10.0.0.0/8')!.subnet, parseCidr('10.5.0.0/16')!.subnet));
  assert.ok(!subnetsOverlap(parseCidr('10.0.0.0/16')!.subnet, parseCidr('10.1.0.0/16')!.subnet));
  const pieces = [...splitPool(parseCidr('172.18.0.0/15')!.subnet, 16)].map((s) => formatIpv4(s.network));
  assert.deepEqual(pieces, ['172.18.0.0', '172.19.0.0']);
});

test('-p specs become Docker PortBindings', () => {
  assert.deepEqual(parsePublishSpec('8080:80'), { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(parsePublishSpec('127.0.0.1:5353:53/udp'), {
    '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
  });
  assert.deepEqual(parsePublishSpec('80'), { '80/tcp': [{ HostIp: '', HostPort: '' }] });
  assert.deepEqual(parsePublishSpec('127.0.0.1::80'), { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  assert.deepEqual(parsePublishSpec('8000-8001:80-81'), {
    '80/tcp': [{ HostIp: '', HostPort: '8000' }],
    '81/tcp': [{ HostIp: '', HostPort: '8001' }],
  });
  assert.deepEqual(parsePublishSpec('9000-9010:80'), { '80/tcp': [{ HostIp: '', HostPort: '9000-9010' }] });
  assert.throws(() => parsePublishSpec('1:2:3:4'), /too many ":"/);
  assert.throws(() => parsePublishSpec('80/sctp'), /Invalid proto: sctp$/);
  assert.throws(() => parsePublishSpec('70000:80'), /Invalid hostPort: 70000$/);
  assert.throws(() => parsePublishSpec('1.2.3:80:80'), /Invalid ip address: 1.2.3$/);
  assert.throws(() => parsePublishSpec('abc'), /Invalid containerPort: abc$/);
  assert.throws(
    () => parsePublishSpec('8000-8002:80-81'),
    /Invalid ranges specified for container and host Ports: 80-81 and 8000-8002$/,
  );
  assert.deepEqual(parseExposeSpec('7000-7001/udp'), ['7000/udp', '7001/udp']);
  assert.throws(() => parseExposeSpec('0'), /PORT\[-HIGH\]/);
});

test('network create input is checked: names, subnet size, gateway inside the subnet', () => {
  assert.equal(NetworkCreateSchema.safeParse({ Name: 'bridge' }).success, false);
  assert.match(
    NetworkCreateSchema.safeParse({ Name: 'n', Subnet: '10.0.0.0/30' }).error?.issues[0]?.message ?? '',
    /prefix length must be 8 to 29/,
  );
  assert.match(
    NetworkCreateSchema.safeParse({ Name: 'n', Subnet: '10.0.0.0/24', Gateway: '10.0.1.1' }).error?.issues[0]
      ?.message ?? '',
    /not a host address of subnet/,
  );
  assert.match(
    NetworkCreateSchema.safeParse({ Name: 'n', Gateway: '10.0.1.1' }).error?.issues[0]?.message ?? '',
    /needs a --subnet/,
  );
  assert.equal(
    NetworkCreateSchema.parse({ Name: 'n', Subnet: '10.0.0.0/24', Gateway: '10.0.0.254' }).Gateway,
    '10.0.0.254',
  );
});
