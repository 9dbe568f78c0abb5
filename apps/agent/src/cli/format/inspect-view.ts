import type { ContainerInspect, ImageInspect } from '@stevedore/shared';
import { familiar } from './familiar-name.js';

/**
 * What `inspect` prints: the agent's answer in Docker's exact shape. The API keeps empty lists
 * as lists (the dashboard reads them); Docker's CLI shows `null` for a list never set, always
 * prints some keys Stevedore has no use for, and leaves out empty optional ones.
 */

type Json = Record<string, unknown>;

/** `docker image inspect`: names as Docker prints them (`busybox:latest`, not `docker.io/library/…`). */
export function dockerImageView(image: ImageInspect): ImageInspect {
  return { ...image, RepoTags: image.RepoTags.map(familiar), RepoDigests: image.RepoDigests.map(familiar) };
}

const nullWhenEmpty = (value: unknown) => (Array.isArray(value) && value.length === 0 ? null : value);
const emptyObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

/** HostConfig lists Docker leaves null until set. */
const NULL_WHEN_EMPTY_HOST_LISTS = [
  'Binds',
  'VolumesFrom',
  'CapAdd',
  'CapDrop',
  'ExtraHosts',
  'GroupAdd',
  'SecurityOpt',
  'BlkioDeviceReadBps',
  'BlkioDeviceWriteBps',
  'BlkioDeviceReadIOps',
  'BlkioDeviceWriteIOps',
  'Ulimits',
] as const;

/** HostConfig keys Docker's API always has, with the value they have when Stevedore offers no such setting. */
const DOCKER_ONLY_HOST_KEYS: Json = {
  ContainerIDFile: '',
  VolumeDriver: '',
  Cgroup: '',
  UsernsMode: '',
  ConsoleSize: [0, 0],
  Isolation: '',
  CgroupParent: '',
  BlkioWeightDevice: [],
  BlkioDeviceReadIOps: null,
  BlkioDeviceWriteIOps: null,
  CpuRealtimePeriod: 0,
  CpuRealtimeRuntime: 0,
  DeviceCgroupRules: null,
  DeviceRequests: null,
  KernelMemory: 0,
  KernelMemoryTCP: 0,
  MemorySwappiness: null,
  CpuCount: 0,
  CpuPercent: 0,
  IOMaximumIOps: 0,
  IOMaximumBandwidth: 0,
};

/** NetworkSettings' IPv6 and secondary-address keys (Stevedore's networks are IPv4 only). */
const DOCKER_ONLY_NETWORK_KEYS: Json = {
  HairpinMode: false,
  LinkLocalIPv6Address: '',
  LinkLocalIPv6PrefixLen: 0,
  SecondaryIPAddresses: null,
  SecondaryIPv6Addresses: null,
  GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0,
  IPv6Gateway: '',
};

const DOCKER_ONLY_ENDPOINT_KEYS: Json = {
  Links: null,
  IPv6Gateway: '',
  GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0,
  DriverOpts: null,
};

/**
 * `docker container inspect`'s shape. `runtime` is the container's OCI runtime and
 * `cgroupVersion` the host's: Docker's CgroupnsMode is "private" on v2 and "host" on v1.
 */
export function dockerContainerView(
  container: ContainerInspect,
  host: { runtime: string; cgroupVersion: '1' | '2' },
): Json {
  const hostConfig: Json = { ...DOCKER_ONLY_HOST_KEYS, ...container.HostConfig };
  for (const key of NULL_WHEN_EMPTY_HOST_LISTS) hostConfig[key] = nullWhenEmpty(hostConfig[key]);
  // Every container runs with the agent's default runtime.
  hostConfig.Runtime ??= host.runtime;
  hostConfig.CgroupnsMode ??= host.cgroupVersion === '2' ? 'private' : 'host';
  // Omitted by Docker unless set.
  for (const key of ['Tmpfs', 'Mounts', 'Sysctls'] as const)
    if (
      emptyObject(hostConfig[key]) ||
      (Array.isArray(hostConfig[key]) && (hostConfig[key] as []).length === 0)
    )
      delete hostConfig[key];
  if (hostConfig.Init === false) delete hostConfig.Init;

  const config: Json = {
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    StdinOnce: false,
    OnBuild: null,
    ...container.Config,
  };
  if (emptyObject(config.Volumes)) config.Volumes = null;
  if (emptyObject(config.ExposedPorts)) delete config.ExposedPorts;

  const networks: Json = {};
  for (const [name, endpoint] of Object.entries(container.NetworkSettings.Networks))
    networks[name] = { ...DOCKER_ONLY_ENDPOINT_KEYS, ...endpoint, Aliases: nullWhenEmpty(endpoint.Aliases) };

  return {
    ...container,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    // Exec sessions are not listed by the agent; Docker's null means none.
    ExecIDs: null,
    HostConfig: hostConfig,
    Config: config,
    NetworkSettings: { ...DOCKER_ONLY_NETWORK_KEYS, ...container.NetworkSettings, Networks: networks },
  };
}
