import { ALL_CAPABILITIES, type ContainerConfig, type HostConfig } from '@stevedore/shared';
import type { IdMap } from '../../storage/id-map.js';
import type { ProcessUser } from '../rootfs/users.js';
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_SHM_SIZE,
  DEVICE_RULES,
  MASKED_PATHS,
  READONLY_PATHS,
} from './default-profile.js';
import type { OciDevice, OciMount, OciResources, OciSpec } from './oci-spec.js';
import { defaultSeccompProfile } from './seccomp.js';

export interface SpecMount {
  type: 'bind' | 'tmpfs';
  source: string;
  destination: string;
  readonly: boolean;
  /** Extra mount options (tmpfs size=, mode=). */
  options?: string[];
  /** A bind's propagation when not rprivate (`-v …:rshared`, `bind-propagation=`). */
  propagation?: string;
}

/** `--pid`/`--ipc`/`--uts`: a namespace of its own, the host's, or one to join; and where /dev/shm comes from. */
export interface SharedNamespaces {
  pid: 'new' | 'host' | { path: string };
  ipc: 'new' | 'host' | { path: string };
  uts: 'new' | 'host';
  /** 'own': a tmpfs of the container's; 'none': no /dev/shm (`--ipc none`); else bind this one. */
  shm: 'own' | 'none' | { source: string };
}

export const OWN_NAMESPACES: SharedNamespaces = { pid: 'new', ipc: 'new', uts: 'new', shm: 'own' };

export interface ThrottleDevice {
  major: number;
  minor: number;
  rate: number;
}

export interface SpecInput {
  config: ContainerConfig;
  hostConfig: HostConfig;
  args: string[];
  env: string[];
  cwd: string;
  user: ProcessUser;
  rootfs: string;
  /** Host files bind-mounted over /etc/hosts, /etc/hostname and /etc/resolv.conf. */
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
  mounts: SpecMount[];
  /** 'new': an empty network namespace; 'host': none; a path: join that one. */
  network: 'new' | 'host' | { path: string };
  cgroupsPath: string;
  /** Whether the kernel accounts swap (memory.memsw.* on cgroup v1); without it swap limits are dropped. */
  swapAccounting: boolean;
  /** Whether a block I/O weight can be set; without it the weight is dropped (with a warning). */
  blkioWeight: boolean;
  /** Every device node of the host, given to privileged containers. */
  hostDevices: OciDevice[];
  throttleRead: ThrottleDevice[];
  throttleWrite: ThrottleDevice[];
  /** The init binary mounted at /sbin/docker-init for `--init`. */
  initBinary: string | null;
  /** What the host can hand out; `--privileged` and `--cap-add ALL` get exactly these. */
  availableCapabilities: readonly string[];
  /** `--userns-remap`: a user namespace with these mappings. */
  idMap: IdMap | null;
  /** `--device` nodes (PathInContainer, the host node's numbers); each is allowed in the device cgroup. */
  devices?: OciDevice[];
  /** Access (rwm) per `--device`, in the order of `devices`. */
  devicePermissions?: string[];
  namespaces?: SharedNamespaces;
}

const CPU_PERIOD_FOR_NANO_CPUS = 100_000;

/** The OCI runtime spec for a container: Docker's defaults, adjusted by its HostConfig. */
export function buildSpec(input: SpecInput): OciSpec {
  const { config, hostConfig: host } = input;
  const capabilities = grantedCapabilities(host, input.availableCapabilities);
  const noNewPrivileges = host.SecurityOpt.some((opt) => /^no-new-privileges(:true)?$/.test(opt));
  const seccompOff = host.Privileged || host.SecurityOpt.some((opt) => /^seccomp[=:]unconfined$/.test(opt));
  const args = input.initBinary ? ['/sbin/docker-init', '--', ...input.args] : input.args;

  const shared = input.namespaces ?? OWN_NAMESPACES;
  const namespaces: OciSpec['linux']['namespaces'] = [];
  for (const type of ['pid', 'ipc', 'uts'] as const) {
    const mode = shared[type];
    if (mode === 'new') namespaces.push({ type });
    else if (mode !== 'host') namespaces.push({ type, path: mode.path });
  }
  namespaces.push({ type: 'mount' }, { type: 'cgroup' });
  if (input.idMap) namespaces.push({ type: 'user' });
  if (input.network === 'new') namespaces.push({ type: 'network' });
  else if (input.network !== 'host') namespaces.push({ type: 'network', path: input.network.path });

  return {
    ociVersion: '1.0.2',
    process: {
      terminal: config.Tty,
      user: {
        uid: input.user.uid,
        gid: input.user.gid,
        ...(input.user.additionalGids.length > 0 ? { additionalGids: input.user.additionalGids } : {}),
      },
      args,
      env: input.env,
      cwd: input.cwd,
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
      ...processRlimits(host),
      noNewPrivileges,
    },
    root: { path: input.rootfs, readonly: host.ReadonlyRootfs },
    ...(input.network === 'host' || shared.uts === 'host' ? {} : { hostname: config.Hostname }),
    mounts: buildMounts(input),
    linux: {
      namespaces,
      resources: withDeviceRules(buildResources(input.hostConfig, input), input),
      cgroupsPath: input.cgroupsPath,
      ...(input.idMap
        ? {
            uidMappings: [{ containerID: 0, hostID: input.idMap.uid.start, size: input.idMap.uid.size }],
            gidMappings: [{ containerID: 0, hostID: input.idMap.gid.start, size: input.idMap.gid.size }],
          }
        : {}),
      ...(host.Privileged
        ? { devices: input.hostDevices }
        : {
            ...(input.devices?.length ? { devices: input.devices } : {}),
            maskedPaths: [...MASKED_PATHS],
            readonlyPaths: [...READONLY_PATHS],
          }),
      ...(Object.keys(host.Sysctls).length > 0 ? { sysctl: { ...host.Sysctls } } : {}),
      ...rootfsPropagation(input.mounts),
      ...(seccompOff ? {} : { seccomp: defaultSeccompProfile(capabilities) }),
    },
  };
}

/** What a process gets: the container's capabilities, never more than the host can hand out. */
export function grantedCapabilities(
  host: Pick<HostConfig, 'Privileged' | 'CapAdd' | 'CapDrop'>,
  available: readonly string[],
): string[] {
  return effectiveCapabilities(host).filter((cap) => available.includes(cap));
}

/** Docker's rule: start from the defaults (or all, when privileged), add, then drop; ALL works in both. */
export function effectiveCapabilities(host: Pick<HostConfig, 'Privileged' | 'CapAdd' | 'CapDrop'>): string[] {
  if (host.Privileged) return [...ALL_CAPABILITIES];
  let caps = new Set(DEFAULT_CAPABILITIES);
  if (host.CapAdd.includes('ALL')) caps = new Set(ALL_CAPABILITIES);
  for (const cap of host.CapAdd) if (cap !== 'ALL') caps.add(cap);
  if (host.CapDrop.includes('ALL')) caps.clear();
  for (const cap of host.CapDrop) caps.delete(cap);
  // An explicit add wins over drop ALL (`--cap-drop ALL --cap-add NET_BIND_SERVICE`).
  if (host.CapDrop.includes('ALL')) for (const cap of host.CapAdd) if (cap !== 'ALL') caps.add(cap);
  return [...caps].sort();
}

function buildMounts(input: SpecInput): OciMount[] {
  const host = input.hostConfig;
  const shmSize = host.ShmSize || DEFAULT_SHM_SIZE;
  const sysOptions = ['nosuid', 'noexec', 'nodev', host.Privileged ? 'rw' : 'ro'];
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    // The kernel mounts a fresh sysfs only for the owner of the network namespace: not in the
    // host's, nor in one the agent made for a user-namespaced container. Bind the host's instead.
    input.network === 'host' || (input.idMap && input.network !== 'new')
      ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', ...sysOptions] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: sysOptions },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', host.Privileged ? 'rw' : 'ro'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    ...shmMount((input.namespaces ?? OWN_NAMESPACES).shm, shmSize),
    ...(['resolvConf', 'hostname', 'hosts'] as const).map((key) => ({
      destination: { resolvConf: '/etc/resolv.conf', hostname: '/etc/hostname', hosts: '/etc/hosts' }[key],
      type: 'bind',
      source: input.etcFiles[key],
      options: ['rbind', 'rprivate', ...(host.ReadonlyRootfs ? ['ro'] : [])],
    })),
  ];
  if (input.initBinary) {
    mounts.push({
      destination: '/sbin/docker-init',
      type: 'bind',
      source: input.initBinary,
      options: ['bind', 'ro', 'rprivate'],
    });
  }
  for (const mount of input.mounts) {
    if (mount.type === 'tmpfs') {
      mounts.push({
        destination: mount.destination,
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'noexec', ...(mount.options ?? [])],
      });
    } else {
      mounts.push({
        destination: mount.destination,
        type: 'bind',
        source: mount.source,
        options: ['rbind', mount.propagation ?? 'rprivate', mount.readonly ? 'ro' : 'rw'],
      });
    }
  }
  return mounts;
}

function shmMount(shm: SharedNamespaces['shm'], size: number): OciMount[] {
  if (shm === 'none') return [];
  if (shm === 'own') {
    return [
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${size}`],
      },
    ];
  }
  return [{ destination: '/dev/shm', type: 'bind', source: shm.source, options: ['rbind', 'rprivate'] }];
}

/** `--device`s are allowed in the device cgroup, with the access they were given. */
function withDeviceRules(resources: OciResources, input: SpecInput): OciResources {
  if (input.hostConfig.Privileged || !input.devices?.length) return resources;
  const rules = input.devices.map((device, index) => ({
    allow: true,
    type: device.type,
    major: device.major,
    minor: device.minor,
    access: input.devicePermissions?.[index] ?? 'rwm',
  }));
  return { ...resources, devices: [...(resources.devices ?? []), ...rules] };
}

/** A shared or slave bind needs the root's propagation to match (runc refuses it under a private root). */
function rootfsPropagation(mounts: readonly SpecMount[]): { rootfsPropagation?: string } {
  if (mounts.some((mount) => mount.propagation?.endsWith('shared'))) return { rootfsPropagation: 'rshared' };
  if (mounts.some((mount) => mount.propagation?.endsWith('slave'))) return { rootfsPropagation: 'rslave' };
  return {};
}

/** The cgroup part of the spec (a live `update` writes the cgroup files itself: runtime/limits/cgroup-writer.ts). */
export function buildResources(
  host: HostConfig,
  input: Pick<SpecInput, 'swapAccounting' | 'blkioWeight' | 'throttleRead' | 'throttleWrite'>,
): OciResources {
  const resources: OciResources = {
    devices: host.Privileged ? [{ allow: true, access: 'rwm' }] : DEVICE_RULES.map((rule) => ({ ...rule })),
  };
  const memory: NonNullable<OciResources['memory']> = {};
  if (host.Memory > 0) memory.limit = host.Memory;
  if (host.MemoryReservation > 0) memory.reservation = host.MemoryReservation;
  if (input.swapAccounting && host.Memory > 0) {
    // Docker's rule: unset swap means as much swap as memory (so memory+swap = 2 × memory).
    memory.swap = host.MemorySwap === 0 ? host.Memory * 2 : host.MemorySwap;
  }
  if (host.OomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length > 0) resources.memory = memory;

  const cpu: NonNullable<OciResources['cpu']> = {};
  if (host.CpuShares > 0) cpu.shares = host.CpuShares;
  if (host.NanoCpus > 0) {
    cpu.period = CPU_PERIOD_FOR_NANO_CPUS;
    cpu.quota = Math.round((host.NanoCpus * CPU_PERIOD_FOR_NANO_CPUS) / 1e9);
  } else {
    if (host.CpuPeriod > 0) cpu.period = host.CpuPeriod;
    if (host.CpuQuota > 0) cpu.quota = host.CpuQuota;
  }
  if (host.CpusetCpus) cpu.cpus = host.CpusetCpus;
  if (host.CpusetMems) cpu.mems = host.CpusetMems;
  if (Object.keys(cpu).length > 0) resources.cpu = cpu;

  if (host.PidsLimit !== null && host.PidsLimit > 0) resources.pids = { limit: host.PidsLimit };

  const blockIO: NonNullable<OciResources['blockIO']> = {};
  if (host.BlkioWeight > 0 && input.blkioWeight) blockIO.weight = host.BlkioWeight;
  if (input.throttleRead.length > 0) blockIO.throttleReadBpsDevice = input.throttleRead;
  if (input.throttleWrite.length > 0) blockIO.throttleWriteBpsDevice = input.throttleWrite;
  if (Object.keys(blockIO).length > 0) resources.blockIO = blockIO;
  return resources;
}

/** `--ulimit`s as the OCI process's rlimits: the container's process and every exec get them. */
export function processRlimits(host: Pick<HostConfig, 'Ulimits'>): {
  rlimits?: { type: string; soft: number; hard: number }[];
} {
  if (host.Ulimits.length === 0) return {};
  return {
    rlimits: host.Ulimits.map((u) => ({
      type: `RLIMIT_${u.Name.toUpperCase()}`,
      soft: u.Soft,
      hard: u.Hard,
    })),
  };
}
