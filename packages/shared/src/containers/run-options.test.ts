import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostConfigSchema } from './create.js';
import {
  MountSchema,
  parseAddHost,
  parseDevice,
  parseDnsSearch,
  parseDnsServer,
  parseMountSpec,
  parsePlatform,
  parseSysctl,
} from './run-options.js';

test('--add-host: NAME:IP, IPv6 in brackets or not, host-gateway; Docker’s errors', () => {
  assert.equal(parseAddHost('db:10.0.0.2'), 'db:10.0.0.2');
  assert.equal(parseAddHost('v6:[fe80::1]'), 'v6:fe80::1');
  assert.equal(parseAddHost('gw:host-gateway'), 'gw:host-gateway');
  assert.throws(() => parseAddHost('nocolon'), /bad format for add-host: "nocolon"/);
  assert.throws(() => parseAddHost('a:999.1.1.1'), /invalid IP address in add-host: "999.1.1.1"/);
});

test('--dns and --dns-search', () => {
  assert.equal(parseDnsServer('1.1.1.1'), '1.1.1.1');
  assert.throws(() => parseDnsServer('one.one'), /one.one is not an ip address/);
  assert.equal(parseDnsSearch('corp.example.com'), 'corp.example.com');
  assert.throws(() => parseDnsSearch('-bad'), /-bad is not a valid domain/);
});

test('--mount: Docker’s keys and aliases, defaults and the mixes it refuses', () => {
  assert.deepEqual(parseMountSpec('src=data,dst=/data'), {
    Type: 'volume',
    Source: 'data',
    Target: '/data',
    ReadOnly: false,
  });
  assert.deepEqual(parseMountSpec('type=bind,source=/a,destination=/b,ro=true,bind-propagation=rslave'), {
    Type: 'bind',
    Source: '/a',
    Target: '/b',
    ReadOnly: true,
    BindOptions: { Propagation: 'rslave' },
  });
  assert.deepEqual(
    parseMountSpec('type=volume,dst=/v,volume-opt=type=tmpfs,volume-opt=o=size=1m,volume-nocopy'),
    {
      Type: 'volume',
      Source: '',
      Target: '/v',
      ReadOnly: false,
      VolumeOptions: {
        NoCopy: true,
        Labels: {},
        DriverConfig: { Name: 'local', Options: { type: 'tmpfs', o: 'size=1m' } },
      },
    },
  );
  assert.deepEqual(parseMountSpec('type=tmpfs,target=/t,tmpfs-size=2k,tmpfs-mode=700').TmpfsOptions, {
    SizeBytes: 2048,
    Mode: 0o700,
  });
  assert.deepEqual(parseMountSpec('type=bind,"source=/srv/a,b",target=/b').Source, '/srv/a,b');
  assert.throws(() => parseMountSpec('type=bind,src=/a"b,dst=/b'), /bare " in non-quoted-field/);
  assert.throws(() => parseMountSpec('type=bind,src=/a'), /target is required/);
  assert.throws(() => parseMountSpec('type=bind,dst=/a,color=red'), /unexpected key 'color' in 'color=red'/);
  assert.throws(() => parseMountSpec('type=bind,dst=/a,src'), /invalid field 'src' must be a key=value pair/);
  assert.throws(() => parseMountSpec('type=tmpfs,dst=/a,bind-propagation=shared'), /cannot mix 'bind-\*'/);
  assert.throws(
    () => parseMountSpec('type=tmpfs,dst=/a,readonly=maybe'),
    /invalid value for readonly: maybe/,
  );
  assert.equal(MountSchema.safeParse({ Type: 'bind', Source: 'relative', Target: '/x' }).success, false);
  assert.equal(MountSchema.safeParse({ Type: 'tmpfs', Source: '/x', Target: '/x' }).success, false);
});

test('--device: host[:container][:perms]', () => {
  assert.deepEqual(parseDevice('/dev/fuse'), {
    PathOnHost: '/dev/fuse',
    PathInContainer: '/dev/fuse',
    CgroupPermissions: 'rwm',
  });
  assert.deepEqual(parseDevice('/dev/fuse:r'), {
    PathOnHost: '/dev/fuse',
    PathInContainer: '/dev/fuse',
    CgroupPermissions: 'r',
  });
  assert.deepEqual(parseDevice('/dev/sda:/dev/xvda:rw').PathInContainer, '/dev/xvda');
  assert.throws(() => parseDevice('/dev/a:/dev/b:rwx'), /bad mode specified: rwx/);
  assert.throws(() => parseDevice('/dev/a:b'), /b is not an absolute path/);
});

test('--sysctl: only namespaced sysctls; net.* refused with the host network', () => {
  assert.deepEqual(parseSysctl('net.core.somaxconn=1024'), ['net.core.somaxconn', '1024']);
  assert.deepEqual(parseSysctl('fs.mqueue.msg_max=64'), ['fs.mqueue.msg_max', '64']);
  assert.deepEqual(parseSysctl('kernel.shm_rmid_forced=1'), ['kernel.shm_rmid_forced', '1']);
  assert.throws(() => parseSysctl('vm.swappiness=1'), /sysctl 'vm.swappiness=1' is not whitelisted/);
  assert.throws(() => parseSysctl('kernel.sem'), /not whitelisted/);
  const hostNet = HostConfigSchema.safeParse({
    NetworkMode: 'host',
    Sysctls: { 'net.ipv4.ip_forward': '1' },
  });
  assert.equal(hostNet.success, false);
  assert.equal(HostConfigSchema.safeParse({ Sysctls: { 'vm.swappiness': '1' } }).success, false);
});

test('namespace modes and -v options in the schema', () => {
  const parse = (host: object) => HostConfigSchema.safeParse(host).success;
  assert.equal(parse({ PidMode: 'host', IpcMode: 'container:db', UTSMode: 'host' }), true);
  assert.equal(parse({ PidMode: 'shareable' }), false);
  assert.equal(parse({ UTSMode: 'container:db' }), false);
  assert.equal(HostConfigSchema.parse({}).IpcMode, 'private');
  assert.equal(parse({ Binds: ['/a:/b:ro,Z', 'vol:/c:rshared', '/d:/e:z,nocopy'] }), true);
  assert.equal(parse({ Binds: ['/a:/b:rx'] }), false);
  assert.equal(parse({ VolumesFrom: ['db:ro', 'cache'] }), true);
  assert.equal(parse({ VolumesFrom: ['db:rx'] }), false);
});

test('--platform: os[/arch[/variant]]', () => {
  assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.throws(() => parsePlatform('a/b/c/d'), /unknown operating system or architecture/);
});
