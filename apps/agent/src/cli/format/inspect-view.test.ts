import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ContainerConfig,
  ContainerConfigSchema,
  type ContainerInspect,
  HostConfigSchema,
  type ImageInspect,
} from '@stevedore/shared';
import { dockerContainerView, dockerImageView } from './inspect-view.js';

const container = (
  overrides: { HostConfig?: object; Config?: Partial<ContainerConfig> } = {},
): ContainerInspect =>
  ({
    Id: 'c'.repeat(64),
    Name: '/c1',
    HostConfig: { ...HostConfigSchema.parse({}), ...overrides.HostConfig },
    Config: { ...ContainerConfigSchema.parse({ Image: 'busybox' }), ...overrides.Config },
    NetworkSettings: {
      SandboxKey: '',
      Ports: {},
      IPAddress: '',
      IPPrefixLen: 0,
      Gateway: '',
      MacAddress: '',
      Networks: {
        none: {
          NetworkID: 'n',
          EndpointID: 'e',
          IPAddress: '',
          IPPrefixLen: 0,
          Gateway: '',
          MacAddress: '',
          Aliases: [],
        },
      },
    },
  }) as unknown as ContainerInspect;

const host = { runtime: 'runc', cgroupVersion: '2' as const };

test('container inspect: lists never set are null, as Docker prints them; set ones stay', () => {
  const view = dockerContainerView(container({ HostConfig: { CapAdd: ['NET_ADMIN'] } }), host);
  const hostConfig = view.HostConfig as Record<string, unknown>;
  for (const key of ['Binds', 'VolumesFrom', 'CapDrop', 'ExtraHosts', 'GroupAdd', 'SecurityOpt', 'Ulimits'])
    assert.equal(hostConfig[key], null, key);
  assert.deepEqual(hostConfig.CapAdd, ['NET_ADMIN']);
  // Docker prints these as empty lists.
  assert.deepEqual(hostConfig.Dns, []);
  assert.deepEqual(hostConfig.Devices, []);
});

test('container inspect: empty Tmpfs, Mounts, Sysctls, Init and ExposedPorts are left out; set ones kept', () => {
  const empty = dockerContainerView(container(), host);
  const hostConfig = empty.HostConfig as Record<string, unknown>;
  for (const key of ['Tmpfs', 'Mounts', 'Sysctls', 'Init']) assert.equal(key in hostConfig, false, key);
  const config = empty.Config as Record<string, unknown>;
  assert.equal('ExposedPorts' in config, false);
  assert.equal(config.Volumes, null);
  assert.equal(config.OnBuild, null);
  assert.equal(config.StdinOnce, false);

  const set = dockerContainerView(
    container({
      HostConfig: { Tmpfs: { '/run': '' }, Sysctls: { 'net.ipv4.ip_forward': '1' }, Init: true },
      Config: { ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} } },
    }),
    host,
  );
  assert.deepEqual((set.HostConfig as Record<string, unknown>).Tmpfs, { '/run': '' });
  assert.equal((set.HostConfig as Record<string, unknown>).Init, true);
  assert.deepEqual((set.Config as Record<string, unknown>).Volumes, { '/data': {} });
  assert.deepEqual((set.Config as Record<string, unknown>).ExposedPorts, { '80/tcp': {} });
});

test("container inspect: Docker's fixed keys, the runtime and the cgroup namespace mode of the host", () => {
  const v2 = dockerContainerView(container(), host);
  assert.equal(v2.ExecIDs, null);
  assert.equal(v2.AppArmorProfile, '');
  const hostConfig = v2.HostConfig as Record<string, unknown>;
  assert.equal(hostConfig.Runtime, 'runc');
  assert.equal(hostConfig.CgroupnsMode, 'private');
  assert.deepEqual(hostConfig.ConsoleSize, [0, 0]);
  assert.equal(hostConfig.MemorySwappiness, null);
  const v1 = dockerContainerView(container(), { runtime: 'crun', cgroupVersion: '1' });
  assert.equal((v1.HostConfig as Record<string, unknown>).CgroupnsMode, 'host');
  assert.equal((v1.HostConfig as Record<string, unknown>).Runtime, 'crun');
  const network = (v2.NetworkSettings as { Networks: Record<string, Record<string, unknown>> }).Networks.none;
  assert.equal(network?.Aliases, null);
  assert.equal(network?.DriverOpts, null);
  assert.equal((v2.NetworkSettings as Record<string, unknown>).SecondaryIPAddresses, null);
});

test('image inspect: names as Docker prints them, registry hosts kept', () => {
  const image = {
    RepoTags: ['docker.io/library/busybox:latest', 'localhost:5000/x:y', 'docker.io/diff/tagged:v1'],
    RepoDigests: [`docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
  } as ImageInspect;
  const view = dockerImageView(image);
  assert.deepEqual(view.RepoTags, ['busybox:latest', 'localhost:5000/x:y', 'diff/tagged:v1']);
  assert.deepEqual(view.RepoDigests, [`busybox@sha256:${'a'.repeat(64)}`]);
});
