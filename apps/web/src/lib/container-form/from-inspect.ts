import {
  byteFlagValue,
  type ContainerCreate,
  type ContainerInspect,
  cpusFlagValue,
  type EndpointSettings,
  shellQuote,
} from '@stevedore/shared';
import { healthToForm } from './health-fields';
import type { ContainerFormValues } from './values';

/**
 * The create request that makes a container like this one again, from its full inspect: every
 * setting is carried, not just what the form shows (binds with their modes, aliases, log options,
 * ulimits, security options, stop signal, ...).
 * - `duplicate`: a new container beside it; anonymous volumes are new ones, no name.
 * - `recreate`: its replacement; its volumes (anonymous ones too) are mounted again by name.
 * The hostname the engine gave it (its short ID) is left for the engine to give again.
 */
export function inspectToCreate(
  inspect: ContainerInspect,
  purpose: 'duplicate' | 'recreate',
): ContainerCreate {
  const config = { ...inspect.Config };
  if (config.Hostname === inspect.Id.slice(0, 12)) config.Hostname = '';
  const host = { ...inspect.HostConfig };
  if (purpose === 'recreate') {
    const named = new Map(
      inspect.Mounts.filter((m) => m.Type === 'volume' && m.Name).map((m) => [m.Destination, m] as const),
    );
    const covered = new Set<string>();
    const binds = host.Binds.map((bind) => {
      const parts = bind.split(':');
      const anonymous = parts.length === 1 || (parts.length === 2 && /^(ro|rw)$/.test(parts[1] as string));
      if (!anonymous) {
        covered.add(parts[1] as string);
        return bind;
      }
      const destination = parts[0] as string;
      covered.add(destination);
      const mount = named.get(destination);
      return mount ? `${mount.Name}:${destination}${parts[1] ? `:${parts[1]}` : ''}` : bind;
    });
    // The image's VOLUMEs got anonymous volumes at create: keep them by name too.
    for (const [destination, mount] of named) {
      if (!covered.has(destination)) binds.push(`${mount.Name}:${destination}${mount.RW ? '' : ':ro'}`);
    }
    host.Binds = binds;
  }
  // A create request configures its NetworkMode network only; the others are joined after (extraNetworks).
  const endpoints: ContainerCreate['NetworkingConfig']['EndpointsConfig'] = {};
  const primary = inspect.NetworkSettings.Networks[host.NetworkMode];
  // A duplicate runs beside the container: its address is taken, the engine picks another.
  const address = primary && purpose === 'recreate' ? fixedAddress(primary) : '';
  if (primary && (primary.Aliases.length > 0 || address)) {
    endpoints[host.NetworkMode] = {
      Aliases: [...primary.Aliases],
      IPAMConfig: address ? { IPv4Address: address } : {},
    };
  }
  return {
    ...(purpose === 'recreate' ? { name: inspect.Name.replace(/^\//, '') } : {}),
    Config: config,
    HostConfig: host,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
}

/** The address a container was given on a network (`--ip`, `network connect --ip`); '' when the engine picked one. */
const fixedAddress = (settings: EndpointSettings) => settings.IPAMConfig?.IPv4Address ?? '';

/**
 * The networks a container joined besides its NetworkMode one (`network connect`), with their
 * aliases and fixed address: a create request names one network, so a replacement joins these
 * after it is created.
 */
export function extraNetworks(
  inspect: ContainerInspect,
): Array<{ network: string; aliases: string[]; address?: string }> {
  const mode = inspect.HostConfig.NetworkMode;
  const primary = mode === 'default' ? 'bridge' : mode;
  return Object.entries(inspect.NetworkSettings.Networks)
    .filter(([network]) => network !== primary)
    .map(([network, settings]) => {
      const address = fixedAddress(settings);
      return { network, aliases: [...settings.Aliases], ...(address ? { address } : {}) };
    });
}

/**
 * The networks on which the container has a fixed address, with its aliases there: a replacement
 * can take the address only once the container has left the network.
 */
export function fixedAddresses(
  inspect: ContainerInspect,
): Array<{ network: string; address: string; aliases: string[] }> {
  return Object.entries(inspect.NetworkSettings.Networks).flatMap(([network, settings]) => {
    const address = fixedAddress(settings);
    return address ? [{ network, address, aliases: [...settings.Aliases] }] : [];
  });
}

const words = (parts: string[] | null) => (parts ? parts.map(shellQuote).join(' ') : '');
const keyValues = (record: Record<string, string | undefined>) =>
  Object.entries(record).map(([key, value]) => ({ key, value: value ?? '' }));

/** The form filled from a create request (what the form does not show stays in the request). */
export function createToForm(create: ContainerCreate): ContainerFormValues {
  const c = create.Config;
  const h = create.HostConfig;
  const network = h.NetworkMode;
  const endpoint = create.NetworkingConfig.EndpointsConfig[network];
  return {
    name: create.name ?? '',
    image: c.Image,
    command: words(c.Cmd),
    entrypoint: c.Entrypoint && c.Entrypoint.length === 0 ? "''" : words(c.Entrypoint),
    env: c.Env.map((entry) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? { key: entry, value: '' } : { key: entry.slice(0, eq), value: entry.slice(eq + 1) };
    }),
    ports: Object.entries(h.PortBindings).flatMap(([key, bindings]) => {
      const [port = '', protocol = 'tcp'] = key.split('/');
      return bindings.map((b) => ({
        hostIp: b.HostIp,
        hostPort: b.HostPort,
        containerPort: port,
        protocol: protocol === 'udp' ? ('udp' as const) : ('tcp' as const),
      }));
    }),
    volumes: h.Binds.map((bind) => {
      const parts = bind.split(':');
      const mode = parts.length > 1 && /^(ro|rw)$/.test(parts.at(-1) as string) ? parts.pop() : undefined;
      const target = parts.pop() ?? '';
      return { source: parts.join(':'), target, readOnly: mode === 'ro' };
    }),
    tmpfs: Object.entries(h.Tmpfs).map(([path, options]) => ({ path, options })),
    network,
    networkAliases: endpoint?.Aliases.join(', ') ?? '',
    ip: endpoint?.IPAMConfig.IPv4Address ?? '',
    restart: h.RestartPolicy.Name === '' ? 'no' : h.RestartPolicy.Name,
    restartRetries: h.RestartPolicy.MaximumRetryCount ? String(h.RestartPolicy.MaximumRetryCount) : '',
    autoRemove: h.AutoRemove,
    labels: keyValues(c.Labels),
    user: c.User,
    workdir: c.WorkingDir,
    hostname: c.Hostname,
    capAdd: h.CapAdd.join(', '),
    capDrop: h.CapDrop.join(', '),
    privileged: h.Privileged,
    readOnly: h.ReadonlyRootfs,
    init: h.Init,
    tty: c.Tty,
    interactive: c.OpenStdin,
    ulimits: h.Ulimits.map((u) => ({ name: u.Name, soft: String(u.Soft), hard: String(u.Hard) })),
    logDriver: h.LogConfig.Type,
    logOptions: keyValues(h.LogConfig.Config),
    memory: h.Memory ? byteFlagValue(h.Memory) : '',
    memorySwap: h.MemorySwap === -1 ? '-1' : h.MemorySwap ? byteFlagValue(h.MemorySwap) : '',
    memoryReservation: h.MemoryReservation ? byteFlagValue(h.MemoryReservation) : '',
    cpus: h.NanoCpus ? cpusFlagValue(h.NanoCpus) : '',
    cpuShares: h.CpuShares ? String(h.CpuShares) : '',
    cpusetCpus: h.CpusetCpus,
    cpusetMems: h.CpusetMems,
    pidsLimit: h.PidsLimit !== null && h.PidsLimit !== 0 ? String(h.PidsLimit) : '',
    blkioWeight: h.BlkioWeight ? String(h.BlkioWeight) : '',
    cpuPeriod: h.CpuPeriod ? String(h.CpuPeriod) : '',
    cpuQuota: h.CpuQuota ? String(h.CpuQuota) : '',
    oomKillDisable: h.OomKillDisable,
    shmSize: h.ShmSize ? byteFlagValue(h.ShmSize) : '',
    deviceReadBps: h.BlkioDeviceReadBps.map((d) => `${d.Path}:${byteFlagValue(d.Rate)}`).join(', '),
    deviceWriteBps: h.BlkioDeviceWriteBps.map((d) => `${d.Path}:${byteFlagValue(d.Rate)}`).join(', '),
    expose: Object.keys(c.ExposedPorts)
      .filter((key) => !h.PortBindings[key])
      .map((key) => (key.endsWith('/tcp') ? key.slice(0, -4) : key))
      .join(', '),
    publishAll: h.PublishAllPorts,
    stopSignal: c.StopSignal ?? '',
    stopTimeout: c.StopTimeout !== undefined ? String(c.StopTimeout) : '',
    securityOpt: h.SecurityOpt.join(', '),
    ...healthToForm(c.Healthcheck),
  };
}
