import { dirname, join } from 'node:path';
import { type DaemonConfig, DaemonConfigSchema } from '@stevedore/shared';
import type { z } from 'zod';
import { ArgvError, type FlagValue, parseArgv } from '../util/argv.js';
import { LOG_LEVELS, type LogLevel } from '../util/logger.js';
import {
  AGENT_FLAGS,
  type AgentConfig,
  DEFAULT_BRIDGE,
  DEFAULT_CONFIG_FILE,
  DEFAULT_DATA_ROOT,
  DEFAULT_EXEC_ROOT,
  DEFAULT_HOST,
} from './agent-config.js';
import { isLoopbackHost, parseHostAddress } from './host-address.js';
import { readConfigText } from './read-config-text.js';
import { findValueProblems } from './validate.js';

/** A configuration the agent must refuse; the message says what is wrong and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type LoadResult =
  | { action: 'run' | 'cleanup'; config: AgentConfig }
  | { action: 'help' }
  | { action: 'version' };

export interface LoadOptions {
  /** Reads the config file; injectable for tests. Resolves null when the file does not exist. */
  readConfigFile?: (path: string) => Promise<string | null>;
}

export async function loadAgentConfig(
  argv: readonly string[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const read = options.readConfigFile ?? readIfExists;
  let parsed: ReturnType<typeof parseArgv>;
  try {
    parsed = parseArgv(argv, AGENT_FLAGS);
  } catch (error) {
    if (error instanceof ArgvError) throw new ConfigError(`${error.message}\nSee 'stevedore-agent --help'.`);
    throw error;
  }
  if (parsed.flags.get('help')) return { action: 'help' };
  if (parsed.flags.get('version')) return { action: 'version' };
  if (parsed.positionals.length > 0) {
    throw new ConfigError(
      `"stevedore-agent" accepts no arguments (got "${parsed.positionals.join(' ')}").\nSee 'stevedore-agent --help'.`,
    );
  }

  const fromFlags = configFromFlags(parsed.flags);
  const logLevel = parseLogLevel(parsed.flags.get('log-level'));
  const explicitFile = parsed.flags.get('config-file') as string | undefined;
  const configFile = explicitFile ?? DEFAULT_CONFIG_FILE;
  const text = await read(configFile);
  if (text === null && explicitFile !== undefined) {
    throw new ConfigError(fileError(configFile, `open ${configFile}: no such file or directory`));
  }
  const fromFile = text === null ? {} : parseConfigFile(configFile, text);
  refuseConflicts(configFile, fromFlags, fromFile);

  return {
    action: parsed.flags.get('cleanup') ? 'cleanup' : 'run',
    config: {
      ...resolveConfig({ ...fromFile, ...fromFlags }, text === null ? null : configFile, logLevel),
      flagKeys: Object.keys(fromFlags),
    },
  };
}

function configFromFlags(flags: Map<string, FlagValue>): DaemonConfig {
  const raw: Record<string, FlagValue> = {};
  for (const spec of AGENT_FLAGS) {
    const value = flags.get(spec.name);
    if (spec.fileKey && value !== undefined) raw[spec.fileKey] = value;
  }
  const flagName = (key: PropertyKey | undefined) =>
    AGENT_FLAGS.find((f) => f.fileKey === key)?.name ?? String(key);
  const result = DaemonConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const [key, index] = issue.path;
    const value = raw[key as string];
    const shown = Array.isArray(value) ? value[Number(index ?? 0)] : value;
    throw new ConfigError(
      `invalid argument "${String(shown)}" for "--${flagName(key)}" flag: ${issue.message}`,
    );
  }
  const problem = findValueProblems(result.data)[0];
  if (problem) {
    throw new ConfigError(
      `invalid argument "${problem.value}" for "--${flagName(problem.key)}" flag: ${problem.message}`,
    );
  }
  return result.data;
}

export function parseConfigFile(path: string, text: string): DaemonConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(fileError(path, `invalid JSON: ${(error as Error).message}`));
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(fileError(path, 'the file must hold a JSON object of daemon.json keys'));
  }
  const known = new Set(Object.keys(DaemonConfigSchema.shape));
  const unknown = Object.keys(json).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(
      fileError(
        path,
        `the following directives don't match any configuration option: ${unknown.join(', ')} (allowed: ${[...known].join(', ')})`,
      ),
    );
  }
  const result = DaemonConfigSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const key = String(issue.path[0]);
    const where = issue.path.length > 1 ? `${key}[${issue.path.slice(1).join('].[')}]` : key;
    throw new ConfigError(fileError(path, `invalid value for "${where}": ${issue.message}`));
  }
  const problem = findValueProblems(result.data)[0];
  if (problem) {
    throw new ConfigError(
      fileError(path, `invalid value "${problem.value}" for "${problem.key}": ${problem.message}`),
    );
  }
  return result.data;
}

/** Like dockerd: a setting given both as a flag and in the file is an error, never a silent override. */
function refuseConflicts(path: string, fromFlags: DaemonConfig, fromFile: DaemonConfig): void {
  const conflicts = (Object.keys(fromFlags) as (keyof DaemonConfig)[])
    .filter((key) => key in fromFile)
    .map((key) => `${key}: (from flag: ${show(fromFlags[key])}, from file: ${show(fromFile[key])})`);
  if (conflicts.length > 0) {
    throw new ConfigError(
      fileError(
        path,
        `the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`,
      ),
    );
  }
}

function resolveConfig(
  merged: DaemonConfig,
  configFile: string | null,
  logLevel: LogLevel,
): Omit<AgentConfig, 'flagKeys'> {
  const dataRoot = merged['data-root'] ?? DEFAULT_DATA_ROOT;
  const config: Omit<AgentConfig, 'flagKeys'> = {
    configFile,
    dataRoot,
    execRoot: merged['exec-root'] ?? DEFAULT_EXEC_ROOT,
    hosts: merged.hosts && merged.hosts.length > 0 ? merged.hosts : [DEFAULT_HOST],
    registryMirrors: (merged['registry-mirrors'] ?? []).map((url) => (url.endsWith('/') ? url : `${url}/`)),
    insecureRegistries: merged['insecure-registries'] ?? [],
    certsDir: join(dirname(configFile ?? DEFAULT_CONFIG_FILE), 'certs.d'),
    bridge: merged.bridge ?? DEFAULT_BRIDGE,
    bip: merged.bip ?? null,
    defaultAddressPools: merged['default-address-pools'] ?? [],
    iptables: merged.iptables ?? true,
    dns: merged.dns ?? [],
    liveRestore: merged['live-restore'] ?? false,
    defaultRuntime: merged['default-runtime'] ?? 'runc',
    cgroupParent: merged['cgroup-parent'] ?? null,
    usernsRemap: merged['userns-remap'] ?? null,
    logOpts: merged['log-opts'] ?? {},
    prunePolicy: merged['prune-policy'] ?? null,
    tlsCert: merged.tlscert ?? null,
    tlsKey: merged.tlskey ?? null,
    authTokensFile: merged['auth-tokens-file'] ?? join(dataRoot, 'auth', 'tokens.json'),
    logLevel,
  };
  if ((config.tlsCert === null) !== (config.tlsKey === null)) {
    throw new ConfigError('--tlscert and --tlskey must be given together (a certificate needs its key)');
  }
  for (const host of config.hosts) {
    const address = parseHostAddress(host);
    if (address.kind === 'tcp' && config.tlsCert === null && !isLoopbackHost(address.host)) {
      throw new ConfigError(
        `refusing to listen on ${host} without TLS: give --tlscert and --tlskey, or listen on a loopback address (127.0.0.1)`,
      );
    }
  }
  return config;
}

function parseLogLevel(value: FlagValue | undefined): LogLevel {
  if (value === undefined) return 'info';
  if (typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value))
    return value as LogLevel;
  throw new ConfigError(
    `invalid argument "${String(value)}" for "--log-level" flag: must be one of ${LOG_LEVELS.join(', ')}`,
  );
}

function fileError(path: string, message: string): string {
  return `unable to configure the Stevedore agent with file ${path}: ${message}`;
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readConfigText(path);
  } catch (error) {
    throw new ConfigError(fileError(path, (error as Error).message));
  }
}
