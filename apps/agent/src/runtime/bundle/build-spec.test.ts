import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ALL_CAPABILITIES,
  ContainerConfigSchema,
  type HostConfig,
  HostConfigSchema,
} from '@stevedore/shared';
import { buildSpec, effectiveCapabilities, type SpecInput } from './build-spec.js';
import { DEFAULT_CAPABILITIES } from './default-profile.js';

const input = (host: Partial<HostConfig> = {}, overrides: Partial<SpecInput> = {}): SpecInput => ({
  config: ContainerConfigSchema.parse({ Image: 'busybox', Hostname: 'abc' }),
  hostConfig: HostConfigSchema.parse(host),
  args: ['sh'],
  env: ['PATH=/bin'],
  cwd: '/',
  user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
  rootfs: '/rootfs',
  etcFiles: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' },
  mounts: [],
  network: 'new',
  cgroupsPath: '/stevedore/abc',
  swapAccounting: true,
  blkioWeight: true,
  hostDevices: [],
  throttleRead: [],
  throttleWrite: [],
  initBinary: null,
  availableCapabilities: ALL_CAPABILITIES,
  idMap: null,
  ...overrides,
});

test('by default: Docker capabilities, masked paths, a seccomp filter, a new network namespace', () => {
  const spec = buildSpec(input());
  assert.deepEqual(spec.process.capabilities.bounding, [...DEFAULT_CAPABILITIES].sort());
  assert.ok(spec.linux.maskedPaths?.includes('/proc/kcore'));
  assert.ok(spec.linux.readonlyPaths?.includes('/proc/sys'));
  assert.ok(spec.linux.seccomp, 'seccomp profile present');
  assert.deepEqual(spec.linux.namespaces.map((ns) => ns.type).sort(), [
    'cgroup',
    'ipc',
    'mount',
    'network',
    'pid',
    'uts',
  ]);
  assert.deepEqual(spec.linux.resources.devices?.[0], { allow: false, access: 'rwm' });
  assert.equal(spec.hostname, 'abc');
  assert.equal(spec.process.rlimits, undefined, 'no rlimits unless asked (the host hard limit may be low)');
});

test('privileged: every capability, no masks, no seccomp, all devices', () => {
  const spec = buildSpec(input({ Privileged: true }));
  assert.ok(spec.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
  assert.equal(spec.linux.maskedPaths, undefined);
  assert.equal(spec.linux.seccomp, undefined);
  assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  const limited = buildSpec(
    input({ Privileged: true }, { availableCapabilities: ['CAP_CHOWN', 'CAP_SYS_ADMIN'] }),
  );
  assert.deepEqual(
    limited.process.capabilities.bounding,
    ['CAP_CHOWN', 'CAP_SYS_ADMIN'],
    'never more than the host holds',
  );
});

test('cap-add / cap-drop follow Docker: drop ALL then add keeps the added one', () => {
  assert.deepEqual(
    effectiveCapabilities({ Privileged: false, CapAdd: ['CAP_NET_BIND_SERVICE'], CapDrop: ['ALL'] }),
    ['CAP_NET_BIND_SERVICE'],
  );
  const added = effectiveCapabilities({
    Privileged: false,
    CapAdd: ['CAP_NET_ADMIN'],
    CapDrop: ['CAP_CHOWN'],
  });
  assert.ok(added.includes('CAP_NET_ADMIN'));
  assert.ok(!added.includes('CAP_CHOWN'));
});

test('limits map to OCI resources: --cpus to quota/period, unset swap to twice the memory', () => {
  const spec = buildSpec(
    input({ Memory: 64 << 20, NanoCpus: 500_000_000, PidsLimit: 50, CpuShares: 512, CpusetCpus: '0' }),
  );
  assert.deepEqual(spec.linux.resources.memory, { limit: 64 << 20, swap: 128 << 20 });
  assert.deepEqual(spec.linux.resources.cpu, { shares: 512, period: 100_000, quota: 50_000, cpus: '0' });
  assert.deepEqual(spec.linux.resources.pids, { limit: 50 });
  const noSwap = buildSpec(input({ Memory: 64 << 20, MemorySwap: 128 << 20 }, { swapAccounting: false }));
  assert.deepEqual(noSwap.linux.resources.memory, { limit: 64 << 20 }, 'swap dropped without accounting');
});

test('host network: no network namespace, no hostname, the host /sys bound read-only', () => {
  const spec = buildSpec(input({}, { network: 'host' }));
  assert.ok(!spec.linux.namespaces.some((ns) => ns.type === 'network'));
  assert.equal(spec.hostname, undefined);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/sys')?.type, 'bind');
});

test('--init runs tini as pid 1 in front of the command; no-new-privileges and seccomp=unconfined apply', () => {
  const spec = buildSpec(
    input(
      { SecurityOpt: ['no-new-privileges', 'seccomp=unconfined'] },
      { initBinary: '/usr/bin/tini-static' },
    ),
  );
  assert.deepEqual(spec.process.args, ['/sbin/docker-init', '--', 'sh']);
  assert.ok(
    spec.mounts.some((m) => m.destination === '/sbin/docker-init' && m.source === '/usr/bin/tini-static'),
  );
  assert.equal(spec.process.noNewPrivileges, true);
  assert.equal(spec.linux.seccomp, undefined);
});

test('userns-remap: a user namespace mapping root to the subordinate range', () => {
  const spec = buildSpec(
    input({}, { idMap: { uid: { start: 100000, size: 65536 }, gid: { start: 200000, size: 65536 } } }),
  );
  assert.ok(spec.linux.namespaces.some((ns) => ns.type === 'user'));
  assert.deepEqual(spec.linux.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  assert.deepEqual(spec.linux.gidMappings, [{ containerID: 0, hostID: 200000, size: 65536 }]);
});

test('--pid/--ipc/--uts: host namespaces are left out, another container’s joined; --ipc none has no /dev/shm', () => {
  const spec = buildSpec(
    input(
      { Sysctls: { 'net.core.somaxconn': '1024' } },
      {
        namespaces: { pid: 'host', ipc: { path: '/proc/42/ns/ipc' }, uts: 'host', shm: 'none' },
      },
    ),
  );
  assert.deepEqual(
    spec.linux.namespaces.filter((ns) => ['pid', 'ipc', 'uts'].includes(ns.type)),
    [{ type: 'ipc', path: '/proc/42/ns/ipc' }],
  );
  assert.equal(spec.hostname, undefined, 'the host UTS namespace keeps the host name');
  assert.equal(
    spec.mounts.some((mount) => mount.destination === '/dev/shm'),
    false,
  );
  assert.deepEqual(spec.linux.sysctl, { 'net.core.somaxconn': '1024' });
  const hostShm = buildSpec(
    input({}, { namespaces: { pid: 'new', ipc: 'host', uts: 'new', shm: { source: '/dev/shm' } } }),
  );
  assert.deepEqual(
    hostShm.mounts.find((mount) => mount.destination === '/dev/shm'),
    { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] },
  );
});

test('--device: the node in the spec and an allow rule in the device cgroup with its access', () => {
  const spec = buildSpec(
    input(
      {},
      {
        devices: [{ path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }],
        devicePermissions: ['rw'],
      },
    ),
  );
  assert.equal(spec.linux.devices?.[0]?.path, '/dev/mynull');
  assert.deepEqual(spec.linux.resources.devices?.at(-1), {
    allow: true,
    type: 'c',
    major: 1,
    minor: 3,
    access: 'rw',
  });
});

test('a shared or slave bind sets the root propagation runc needs', () => {
  const mount = (propagation?: string) => ({
    type: 'bind' as const,
    source: '/a',
    destination: '/b',
    readonly: false,
    ...(propagation ? { propagation } : {}),
  });
  assert.equal(buildSpec(input({}, { mounts: [mount()] })).linux.rootfsPropagation, undefined);
  const slave = buildSpec(input({}, { mounts: [mount('rslave')] }));
  assert.equal(slave.linux.rootfsPropagation, 'rslave');
  assert.deepEqual(slave.mounts.at(-1)?.options, ['rbind', 'rslave', 'rw']);
  assert.equal(buildSpec(input({}, { mounts: [mount('shared')] })).linux.rootfsPropagation, 'rshared');
});
