import type { DaemonConfig, PrunePolicyConfig } from '@stevedore/shared';
import type { FlagSpec } from '../util/argv.js';
import type { LogLevel } from '../util/logger.js';

/** Everything the agent is configured with, resolved once at start and passed down. */
export interface AgentConfig {
  /** The file that was read, if any. */
  configFile: string | null;
  dataRoot: string;
  execRoot: string;
  hosts: string[];
  registryMirrors: string[];
  insecureRegistries: string[];
  /** `certs.d` beside the config file: per-registry hosts.toml and CA certificates. */
  certsDir: string;
  bridge: string;
  /** Bridge IP with prefix; null lets the network layer pick its default subnet. */
  bip: string | null;
  defaultAddressPools: { base: string; size: number }[];
  iptables: boolean;
  /** Resolvers the embedded DNS forwards to (empty: the host's). */
  dns: string[];
  liveRestore: boolean;
  defaultRuntime: 'runc' | 'crun';
  cgroupParent: string | null;
  /** `--userns-remap`: containers run in a user namespace mapped to this user's subordinate ids. */
  usernsRemap: string | null;
  logOpts: Record<string, string>;
  /** daemon.json's `prune-policy`, run by the agent's prune scheduler (changed live). */
  prunePolicy?: PrunePolicyConfig | null;
  tlsCert: string | null;
  tlsKey: string | null;
  authTokensFile: string;
  logLevel: LogLevel;
  /** daemon.json keys set on the command line: they win over the file and cannot be changed live. */
  flagKeys: readonly string[];
}

export const DEFAULT_CONFIG_FILE = '/etc/stevedore/daemon.json';
export const DEFAULT_DATA_ROOT = '/var/lib/stevedore';
export const DEFAULT_EXEC_ROOT = '/run/stevedore';
export const DEFAULT_HOST = 'unix:///run/stevedore/agent.sock';
export const DEFAULT_BRIDGE = 'stevedore0';

/** A command-line flag, and the daemon.json key it corresponds to when there is one. */
export interface AgentFlag extends FlagSpec {
  fileKey?: keyof DaemonConfig;
}

/** Every agent setting, declared once: flag, file key, default and description. */
export const AGENT_FLAGS: readonly AgentFlag[] = [
  {
    name: 'config-file',
    kind: 'string',
    valueName: 'FILE',
    description: 'Agent configuration file (daemon.json keys)',
    defaultText: `"${DEFAULT_CONFIG_FILE}" when it exists`,
  },
  {
    name: 'data-root',
    fileKey: 'data-root',
    kind: 'string',
    valueName: 'DIR',
    description: 'Root directory of persistent agent state',
    defaultText: `"${DEFAULT_DATA_ROOT}"`,
  },
  {
    name: 'exec-root',
    fileKey: 'exec-root',
    kind: 'string',
    valueName: 'DIR',
    description: 'Root directory for execution state files',
    defaultText: `"${DEFAULT_EXEC_ROOT}"`,
  },
  {
    name: 'host',
    short: 'H',
    fileKey: 'hosts',
    kind: 'list',
    valueName: 'list',
    description: 'Address(es) to listen on: unix:///path or tcp://ip:port',
    defaultText: DEFAULT_HOST,
  },
  {
    name: 'bridge',
    short: 'b',
    fileKey: 'bridge',
    kind: 'string',
    valueName: 'NAME',
    description: 'Bridge to attach containers to',
    defaultText: `"${DEFAULT_BRIDGE}"`,
  },
  {
    name: 'bip',
    fileKey: 'bip',
    kind: 'string',
    valueName: 'CIDR',
    description: 'IP and prefix of the bridge',
  },
  {
    name: 'registry-mirror',
    fileKey: 'registry-mirrors',
    kind: 'list',
    valueName: 'URL',
    description: 'Preferred registry mirror (repeatable)',
  },
  {
    name: 'insecure-registry',
    fileKey: 'insecure-registries',
    kind: 'list',
    valueName: 'HOST',
    description: 'Registry (host:port or CIDR) reachable without TLS verification (repeatable)',
  },
  {
    name: 'tlscert',
    fileKey: 'tlscert',
    kind: 'string',
    valueName: 'FILE',
    description: 'TLS certificate (PEM) for TCP listeners',
  },
  {
    name: 'tlskey',
    fileKey: 'tlskey',
    kind: 'string',
    valueName: 'FILE',
    description: 'TLS private key (PEM) for TCP listeners',
  },
  {
    name: 'iptables',
    fileKey: 'iptables',
    kind: 'boolean',
    description: 'Enable addition of iptables rules',
    defaultText: 'true',
  },
  {
    name: 'dns',
    fileKey: 'dns',
    kind: 'list',
    valueName: 'list',
    description: "DNS server for containers to use, instead of the host's resolvers (repeatable)",
  },
  {
    name: 'live-restore',
    fileKey: 'live-restore',
    kind: 'boolean',
    description: 'Keep containers running while the agent is down',
  },
  {
    name: 'default-runtime',
    fileKey: 'default-runtime',
    kind: 'string',
    valueName: 'NAME',
    description: 'Default OCI runtime for containers: runc or crun',
    defaultText: '"runc"',
  },
  {
    name: 'cgroup-parent',
    fileKey: 'cgroup-parent',
    kind: 'string',
    valueName: 'PATH',
    description: 'Parent cgroup for all containers',
  },
  {
    name: 'userns-remap',
    fileKey: 'userns-remap',
    kind: 'string',
    valueName: 'USER[:GROUP]',
    description:
      'Run containers in a user namespace mapped to the subordinate ids of USER ("default": stevedoremap)',
  },
  {
    name: 'log-level',
    short: 'l',
    kind: 'string',
    valueName: 'LEVEL',
    description: 'Logging level: debug, info, warn, error, fatal',
    defaultText: '"info"',
  },
  {
    name: 'cleanup',
    kind: 'boolean',
    description:
      "Remove the agent's iptables chains, bridges and network namespaces (for these roots), then quit",
  },
  { name: 'version', short: 'v', kind: 'boolean', description: 'Print version information and quit' },
  { name: 'help', short: 'h', kind: 'boolean', description: 'Print usage' },
];
