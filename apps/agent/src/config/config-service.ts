import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DaemonConfig, StevedoreError } from '@stevedore/shared';
import { writeFileAtomic } from '../util/atomic-file.js';
import { type AgentConfig, DEFAULT_CONFIG_FILE } from './agent-config.js';
import { ConfigError, parseConfigFile } from './load-config.js';
import { readConfigText } from './read-config-text.js';
import { findValueProblems } from './validate.js';

/** Keys whose new value takes effect at once; everything else waits for a restart. */
const LIVE: Partial<Record<keyof DaemonConfig, (config: AgentConfig, value: DaemonConfig) => void>> = {
  'registry-mirrors': (config, value) => {
    config.registryMirrors = (value['registry-mirrors'] ?? []).map((url) =>
      url.endsWith('/') ? url : `${url}/`,
    );
  },
  'insecure-registries': (config, value) => {
    config.insecureRegistries = value['insecure-registries'] ?? [];
  },
  'log-opts': (config, value) => {
    config.logOpts = value['log-opts'] ?? {};
  },
  // The prune scheduler reads it at each tick.
  'prune-policy': (config, value) => {
    config.prunePolicy = value['prune-policy'] ?? null;
  },
};

export interface ConfigUpdateResult {
  path: string;
  settings: DaemonConfig;
  /** Keys changed and already in effect. */
  applied: string[];
  /** Keys changed in the file that take effect at the next agent start. */
  restartRequired: string[];
}

/**
 * `config.get` / `config.update`: the agent's daemon.json read and changed over the API. A change
 * is validated exactly as at start-up (naming the key), written atomically, and applied live
 * where that is possible (registry mirrors, insecure registries, log options).
 */
export class ConfigService {
  constructor(private readonly config: AgentConfig) {}

  private get path(): string {
    return this.config.configFile ?? DEFAULT_CONFIG_FILE;
  }

  async get(): Promise<{ path: string; settings: DaemonConfig }> {
    return { path: this.path, settings: await this.read() };
  }

  /** `patch` keys set a value; a null value removes the key from the file. */
  async update(patch: Record<string, unknown>): Promise<ConfigUpdateResult> {
    const fromFlags = Object.keys(patch).filter((key) => this.config.flagKeys.includes(key));
    if (fromFlags.length > 0) {
      throw new StevedoreError(
        'CONFLICT',
        `${fromFlags.join(', ')}: set by a command-line flag of the agent, which wins over the file; change the flag and restart instead`,
        { keys: fromFlags },
      );
    }
    const current = await this.read();
    const next: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    const text = `${JSON.stringify(next, null, 2)}\n`;
    let settings: DaemonConfig;
    try {
      settings = parseConfigFile(this.path, text);
    } catch (error) {
      if (error instanceof ConfigError) throw new StevedoreError('INVALID_ARGUMENT', error.message);
      throw error;
    }
    const problem = findValueProblems(settings)[0];
    if (problem) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `invalid value for "${problem.key}": "${problem.value}" ${problem.message}`,
        {
          key: problem.key,
        },
      );
    }
    await mkdir(dirname(this.path), { recursive: true });
    await writeFileAtomic(this.path, text, 0o644);
    this.config.configFile = this.path;
    const changed = Object.keys(patch).filter(
      (key) =>
        JSON.stringify(current[key as keyof DaemonConfig]) !==
        JSON.stringify(settings[key as keyof DaemonConfig]),
    );
    const applied: string[] = [];
    const restartRequired: string[] = [];
    for (const key of changed) {
      const apply = LIVE[key as keyof DaemonConfig];
      if (apply) {
        apply(this.config, settings);
        applied.push(key);
      } else restartRequired.push(key);
    }
    return { path: this.path, settings, applied, restartRequired };
  }

  private async read(): Promise<DaemonConfig> {
    const text = await readConfigText(this.path).catch((error: Error) => {
      throw new StevedoreError('FAILED_PRECONDITION', `the config file cannot be read: ${error.message}`, {
        path: this.path,
      });
    });
    return text === null ? {} : parseConfigFile(this.path, text);
  }
}
