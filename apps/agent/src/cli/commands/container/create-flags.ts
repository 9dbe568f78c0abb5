import { readFileSync } from 'node:fs';
import {
  type ContainerCreateInput,
  normalizeSignal,
  type PortBindings,
  parseByteSize,
  parseCpus,
  parseExposeSpec,
  parsePublishSpec,
  parseRestartPolicy,
} from '@stevedore/shared';
import type { FlagSpec } from '../../../util/argv.js';
import { booleanFlag, type CommandContext, listFlag, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';
import { envEntry, flagValueError, integer, keyValueMap, parseFlagValue } from '../../flag-values.js';
import { HEALTH_FLAGS, healthcheckFromFlags } from './health-flags.js';
import { labelFileEntries, RUN_OPTION_FLAGS, runOptionsFromFlags } from './run-option-flags.js';

const str = (name: string, description: string, short?: string, valueName = 'string'): FlagSpec => ({
  name,
  kind: 'string',
  description,
  valueName,
  ...(short ? { short } : {}),
});
const list = (name: string, description: string, short?: string): FlagSpec => ({
  name,
  kind: 'list',
  description,
  ...(short ? { short } : {}),
});
const bool = (name: string, description: string, short?: string): FlagSpec => ({
  name,
  kind: 'boolean',
  description,
  ...(short ? { short } : {}),
});

/** `docker create` / `docker run` flags (run adds -d and --rm behaviour on top). */
export const CREATE_FLAGS: readonly FlagSpec[] = [
  str('name', 'Assign a name to the container'),
  bool('interactive', 'Keep STDIN open even if not attached', 'i'),
  bool('tty', 'Allocate a pseudo-TTY', 't'),
  list('env', 'Set environment variables', 'e'),
  list('env-file', 'Read in a file of environment variables'),
  str('workdir', 'Working directory inside the container', 'w'),
  str('user', 'Username or UID (format: <name|uid>[:<group|gid>])', 'u'),
  str('entrypoint', 'Overwrite the default ENTRYPOINT of the image'),
  str('hostname', 'Container host name', 'h'),
  list('volume', 'Bind mount a volume', 'v'),
  list('tmpfs', 'Mount a tmpfs directory'),
  bool('read-only', "Mount the container's root filesystem as read only"),
  list('cap-add', 'Add Linux capabilities'),
  list('cap-drop', 'Drop Linux capabilities'),
  bool('privileged', 'Give extended privileges to this container'),
  str('restart', 'Restart policy to apply when a container exits', undefined, 'string'),
  bool('rm', 'Automatically remove the container when it exits'),
  list('label', 'Set meta data on a container', 'l'),
  str('stop-signal', 'Signal to stop the container'),
  str('stop-timeout', 'Timeout (in seconds) to stop a container', undefined, 'int'),
  bool('init', 'Run an init inside the container that forwards signals and reaps processes'),
  list('ulimit', 'Ulimit options'),
  list('security-opt', 'Security Options'),
  str(
    'network',
    'Connect a container to a network (bridge, host, none, container:<name|id> or a network name)',
  ),
  list('publish', "Publish a container's port(s) to the host", 'p'),
  bool('publish-all', 'Publish all exposed ports to random ports', 'P'),
  list('expose', 'Expose a port or a range of ports'),
  str('ip', 'IPv4 address (e.g., 172.30.100.104)'),
  list('network-alias', 'Add network-scoped alias for the container'),
  str('memory', 'Memory limit', 'm', 'bytes'),
  str(
    'memory-swap',
    "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
    undefined,
    'bytes',
  ),
  str('memory-reservation', 'Memory soft limit', undefined, 'bytes'),
  bool('oom-kill-disable', 'Disable OOM Killer (cgroup v1)'),
  str('cpus', 'Number of CPUs', undefined, 'decimal'),
  str('cpu-shares', 'CPU shares (relative weight)', 'c', 'int'),
  str('cpu-period', 'Limit CPU CFS (Completely Fair Scheduler) period', undefined, 'int'),
  str('cpu-quota', 'Limit CPU CFS (Completely Fair Scheduler) quota', undefined, 'int'),
  str('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)'),
  str('cpuset-mems', 'MEMs in which to allow execution (0-3, 0,1)'),
  str('pids-limit', 'Tune container pids limit (set -1 for unlimited)', undefined, 'int'),
  str(
    'blkio-weight',
    'Block IO (relative weight), between 10 and 1000, or 0 to disable',
    undefined,
    'uint16',
  ),
  list('device-read-bps', 'Limit read rate (bytes per second) from a device'),
  list('device-write-bps', 'Limit write rate (bytes per second) to a device'),
  str('shm-size', 'Size of /dev/shm', undefined, 'bytes'),
  str('log-driver', 'Logging driver for the container'),
  list('log-opt', 'Log driver options'),
  str('pull', 'Pull image before creating ("always", "missing", "never")'),
  bool('quiet', 'Suppress the pull output', 'q'),
  ...HEALTH_FLAGS,
  ...RUN_OPTION_FLAGS,
];

/** `run`/`create` exit 125 on a flag value that does not parse. */
const parsed = <T>(flag: string, value: string, parse: (text: string) => T): T =>
  parseFlagValue(flag, value, parse, 125);
const badValue = (flag: string, value: string, why: string) => flagValueError(flag, value, why, 125);

/** Docker words a bad `-p` itself (`Invalid containerPort: abc`), not as a flag value error. */
function publishBindings(spec: string): PortBindings {
  try {
    return parsePublishSpec(spec);
  } catch (error) {
    throw new OperationalError((error as Error).message, 125);
  }
}

function envFromFlags(context: CommandContext, env: NodeJS.ProcessEnv): string[] {
  const entries: string[] = [];
  const add = (entry: string) => entries.push(...envEntry(entry, env));
  for (const file of listFlag(context, 'env-file')) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new OperationalError(
        `open ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`,
        125,
      );
    }
    for (const line of text.split('\n')) {
      const trimmed = line.replace(/^\s+/, '');
      if (trimmed && !trimmed.startsWith('#')) add(trimmed);
    }
  }
  for (const entry of listFlag(context, 'env')) add(entry);
  return entries;
}

function throttle(flag: string, values: string[]) {
  return values.map((value) => {
    const colon = value.lastIndexOf(':');
    if (colon <= 0) throw badValue(flag, value, 'use DEVICE:RATE such as /dev/sda:1mb');
    return { Path: value.slice(0, colon), Rate: parsed(flag, value.slice(colon + 1), parseByteSize) };
  });
}

function ulimits(values: string[]) {
  return values.map((value) => {
    const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(value);
    if (!match) throw badValue('ulimit', value, 'use NAME=SOFT[:HARD] such as nofile=1024:2048');
    const soft = Number(match[2]);
    return { Name: match[1] as 'nofile', Soft: soft, Hard: match[3] === undefined ? soft : Number(match[3]) };
  });
}

/** The create request a `docker run`-style command line describes. */
export function createInputFromFlags(context: CommandContext, env: NodeJS.ProcessEnv): ContainerCreateInput {
  const [image, ...cmd] = context.args;
  const flag = (name: string) => stringFlag(context, name);
  const entrypoint = flag('entrypoint');
  const memory = flag('memory');
  const swap = flag('memory-swap');
  const reservation = flag('memory-reservation');
  const cpus = flag('cpus');
  const shm = flag('shm-size');
  const restart = flag('restart');
  const stopSignal = flag('stop-signal');
  const stopTimeout = flag('stop-timeout');
  const pids = flag('pids-limit');
  const logDriver = flag('log-driver');
  const tmpfs = Object.fromEntries(
    listFlag(context, 'tmpfs').map((spec) => {
      const colon = spec.indexOf(':');
      return colon < 0 ? [spec, ''] : [spec.slice(0, colon), spec.slice(colon + 1)];
    }),
  );
  if (stopSignal) parsed('stop-signal', stopSignal, normalizeSignal);
  const network = flag('network') ?? 'bridge';
  const portBindings: PortBindings = {};
  for (const spec of listFlag(context, 'publish')) {
    for (const [key, bindings] of Object.entries(publishBindings(spec))) {
      portBindings[key] = [...(portBindings[key] ?? []), ...bindings];
    }
  }
  // Published ports are exposed ports too, as in Docker.
  const exposed = [
    ...new Set([
      ...listFlag(context, 'expose').flatMap((spec) => parsed('expose', spec, parseExposeSpec)),
      ...Object.keys(portBindings),
    ]),
  ];
  const ip = flag('ip');
  const aliases = listFlag(context, 'network-alias');
  const endpoints =
    ip !== undefined || aliases.length > 0
      ? { [network]: { Aliases: aliases, IPAMConfig: ip === undefined ? {} : { IPv4Address: ip } } }
      : {};
  return {
    ...(flag('name') ? { name: flag('name')! } : {}),
    Config: {
      Image: image!,
      Cmd: cmd.length > 0 ? cmd : null,
      Entrypoint: entrypoint === undefined ? null : entrypoint === '' ? [] : [entrypoint],
      Env: envFromFlags(context, env),
      WorkingDir: flag('workdir') ?? '',
      User: flag('user') ?? '',
      Hostname: flag('hostname') ?? '',
      Labels: keyValueMap([...labelFileEntries(context), ...listFlag(context, 'label')]),
      Tty: booleanFlag(context, 'tty'),
      OpenStdin: booleanFlag(context, 'interactive'),
      ...(stopSignal ? { StopSignal: stopSignal } : {}),
      ...(stopTimeout !== undefined ? { StopTimeout: parsed('stop-timeout', stopTimeout, integer) } : {}),
      ExposedPorts: Object.fromEntries(exposed.map((key) => [key, {}])),
      ...healthcheckFromFlags(context),
    },
    NetworkingConfig: { EndpointsConfig: endpoints },
    HostConfig: {
      Binds: listFlag(context, 'volume'),
      Tmpfs: tmpfs,
      ReadonlyRootfs: booleanFlag(context, 'read-only'),
      CapAdd: listFlag(context, 'cap-add'),
      CapDrop: listFlag(context, 'cap-drop'),
      Privileged: booleanFlag(context, 'privileged'),
      RestartPolicy: restart
        ? parsed('restart', restart, parseRestartPolicy)
        : { Name: 'no', MaximumRetryCount: 0 },
      AutoRemove: booleanFlag(context, 'rm'),
      Init: booleanFlag(context, 'init'),
      SecurityOpt: listFlag(context, 'security-opt'),
      NetworkMode: network,
      PortBindings: portBindings,
      PublishAllPorts: booleanFlag(context, 'publish-all'),
      Memory: memory ? parsed('memory', memory, parseByteSize) : 0,
      MemorySwap: swap ? (swap === '-1' ? -1 : parsed('memory-swap', swap, parseByteSize)) : 0,
      MemoryReservation: reservation ? parsed('memory-reservation', reservation, parseByteSize) : 0,
      OomKillDisable: booleanFlag(context, 'oom-kill-disable'),
      NanoCpus: cpus ? parsed('cpus', cpus, parseCpus) : 0,
      CpuShares: flag('cpu-shares') ? parsed('cpu-shares', flag('cpu-shares')!, integer) : 0,
      CpuPeriod: flag('cpu-period') ? parsed('cpu-period', flag('cpu-period')!, integer) : 0,
      CpuQuota: flag('cpu-quota') ? parsed('cpu-quota', flag('cpu-quota')!, integer) : 0,
      CpusetCpus: flag('cpuset-cpus') ?? '',
      CpusetMems: flag('cpuset-mems') ?? '',
      PidsLimit: pids ? parsed('pids-limit', pids, integer) : null,
      BlkioWeight: flag('blkio-weight') ? parsed('blkio-weight', flag('blkio-weight')!, integer) : 0,
      BlkioDeviceReadBps: throttle('device-read-bps', listFlag(context, 'device-read-bps')),
      BlkioDeviceWriteBps: throttle('device-write-bps', listFlag(context, 'device-write-bps')),
      Ulimits: ulimits(listFlag(context, 'ulimit')),
      ShmSize: shm ? parsed('shm-size', shm, parseByteSize) : 0,
      LogConfig: {
        Type: (logDriver ?? 'k8s-file') as 'k8s-file',
        Config: keyValueMap(listFlag(context, 'log-opt')),
      },
      ...runOptionsFromFlags(context),
    },
  };
}
