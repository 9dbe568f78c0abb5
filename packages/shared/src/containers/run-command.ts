import type { ContainerCreate } from './create.js';
import { healthRunFlags } from './health.js';

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word for a POSIX shell: as it is when nothing in it is special, else single-quoted. */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

const UNITS: ReadonlyArray<[string, number]> = [
  ['g', 1024 ** 3],
  ['m', 1024 ** 2],
  ['k', 1024],
];

/** Bytes as the shortest exact `--memory` value: 536870912 → "512m". */
export function byteFlagValue(bytes: number): string {
  for (const [unit, size] of UNITS) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** Nano-CPUs as `--cpus` writes them: 1500000000 → "1.5". */
export const cpusFlagValue = (nanoCpus: number): string => String(nanoCpus / 1e9);

function publishSpecs(create: ContainerCreate): string[] {
  const specs: string[] = [];
  for (const [key, bindings] of Object.entries(create.HostConfig.PortBindings)) {
    const [port = '', protocol = 'tcp'] = key.split('/');
    const container = protocol === 'tcp' ? port : `${port}/${protocol}`;
    for (const binding of bindings) {
      if (binding.HostIp) specs.push(`${binding.HostIp}:${binding.HostPort}:${container}`);
      else if (binding.HostPort) specs.push(`${binding.HostPort}:${container}`);
      else specs.push(container);
    }
  }
  return specs;
}

export interface RunArgsOptions {
  /** `run -d` (the dashboard's run) rather than `create`. */
  command?: 'run' | 'create';
}

/**
 * The `stevedore run` arguments that create `create` (the words after `stevedore`). Defaults are
 * left out. The CLI takes one word of entrypoint, as Docker's does: the rest of a longer
 * entrypoint goes before the command, which runs the same process.
 */
export function runArgs(create: ContainerCreate, options: RunArgsOptions = {}): string[] {
  const command = options.command ?? 'run';
  const args: string[] = command === 'run' ? ['run', '-d'] : ['create'];
  const h = create.HostConfig;
  const c = create.Config;
  const flag = (name: string, value: string) => {
    // A value starting with "-" would read as a flag; `--name=value` keeps it a value.
    if (value.startsWith('-')) args.push(`--${name}=${value}`);
    else args.push(`--${name}`, value);
  };
  const bool = (name: string, on: boolean) => {
    if (on) args.push(`--${name}`);
  };
  if (create.name) flag('name', create.name);
  bool('interactive', c.OpenStdin);
  bool('tty', c.Tty);
  for (const entry of c.Env) flag('env', entry);
  if (c.WorkingDir) flag('workdir', c.WorkingDir);
  if (c.User) flag('user', c.User);
  if (c.Hostname) flag('hostname', c.Hostname);
  const [entrypoint, ...entrypointRest] = c.Entrypoint ?? [];
  if (c.Entrypoint !== null) flag('entrypoint', entrypoint ?? '');
  for (const bind of h.Binds) flag('volume', bind);
  for (const [path, opts] of Object.entries(h.Tmpfs)) flag('tmpfs', opts ? `${path}:${opts}` : path);
  bool('read-only', h.ReadonlyRootfs);
  for (const cap of h.CapAdd) flag('cap-add', cap);
  for (const cap of h.CapDrop) flag('cap-drop', cap);
  bool('privileged', h.Privileged);
  const restart = h.RestartPolicy;
  if (restart.Name !== '' && restart.Name !== 'no') {
    flag(
      'restart',
      restart.Name === 'on-failure' && restart.MaximumRetryCount > 0
        ? `on-failure:${restart.MaximumRetryCount}`
        : restart.Name,
    );
  }
  bool('rm', h.AutoRemove);
  for (const [key, value] of Object.entries(c.Labels)) flag('label', `${key}=${value}`);
  if (c.StopSignal) flag('stop-signal', c.StopSignal);
  if (c.StopTimeout !== undefined) flag('stop-timeout', String(c.StopTimeout));
  bool('init', h.Init);
  for (const u of h.Ulimits) flag('ulimit', `${u.Name}=${u.Soft}:${u.Hard}`);
  for (const opt of h.SecurityOpt) flag('security-opt', opt);
  if (h.NetworkMode !== 'bridge') flag('network', h.NetworkMode);
  for (const spec of publishSpecs(create)) flag('publish', spec);
  bool('publish-all', h.PublishAllPorts);
  for (const key of Object.keys(c.ExposedPorts)) {
    if (h.PortBindings[key]) continue;
    flag('expose', key.endsWith('/tcp') ? key.slice(0, -4) : key);
  }
  // The CLI's --ip and --network-alias apply to the network of --network.
  const endpoint = create.NetworkingConfig.EndpointsConfig[h.NetworkMode];
  if (endpoint?.IPAMConfig.IPv4Address) flag('ip', endpoint.IPAMConfig.IPv4Address);
  for (const alias of endpoint?.Aliases ?? []) flag('network-alias', alias);
  if (h.Memory) flag('memory', byteFlagValue(h.Memory));
  if (h.MemorySwap) flag('memory-swap', h.MemorySwap === -1 ? '-1' : byteFlagValue(h.MemorySwap));
  if (h.MemoryReservation) flag('memory-reservation', byteFlagValue(h.MemoryReservation));
  bool('oom-kill-disable', h.OomKillDisable);
  if (h.NanoCpus) flag('cpus', cpusFlagValue(h.NanoCpus));
  if (h.CpuShares) flag('cpu-shares', String(h.CpuShares));
  if (h.CpuPeriod) flag('cpu-period', String(h.CpuPeriod));
  if (h.CpuQuota) flag('cpu-quota', String(h.CpuQuota));
  if (h.CpusetCpus) flag('cpuset-cpus', h.CpusetCpus);
  if (h.CpusetMems) flag('cpuset-mems', h.CpusetMems);
  if (h.PidsLimit !== null && h.PidsLimit !== 0) flag('pids-limit', String(h.PidsLimit));
  if (h.BlkioWeight) flag('blkio-weight', String(h.BlkioWeight));
  for (const d of h.BlkioDeviceReadBps) flag('device-read-bps', `${d.Path}:${d.Rate}`);
  for (const d of h.BlkioDeviceWriteBps) flag('device-write-bps', `${d.Path}:${d.Rate}`);
  if (h.ShmSize) flag('shm-size', byteFlagValue(h.ShmSize));
  for (const [name, value] of healthRunFlags(c.Healthcheck)) {
    if (value === null) bool(name, true);
    else flag(name, value);
  }
  if (h.LogConfig.Type !== 'k8s-file') flag('log-driver', h.LogConfig.Type);
  for (const [key, value] of Object.entries(h.LogConfig.Config)) {
    if (value !== undefined) flag('log-opt', `${key}=${value}`);
  }
  args.push(c.Image, ...entrypointRest, ...(c.Cmd ?? []));
  return args;
}

/** The whole `stevedore run …` line, shell-quoted, ready to paste into a terminal. */
export function runCommandLine(create: ContainerCreate, options: RunArgsOptions = {}): string {
  return ['stevedore', ...runArgs(create, options)].map(shellQuote).join(' ');
}
