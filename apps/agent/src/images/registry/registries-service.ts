import { join } from 'node:path';
import {
  type MirrorHealthReport,
  MirrorHealthSchema,
  type PullRecord,
  type RegistrySettings,
  type RegistrySettingsList,
  type RegistrySettingsValue,
} from '@stevedore/shared';
import { z } from 'zod';
import { type AgentConfig, DEFAULT_CONFIG_FILE } from '../../config/agent-config.js';
import type { Logger } from '../../util/logger.js';
import { MirrorHealthMonitor, type ProbeTarget } from './mirror-health.js';
import { RegistrySettingsStore } from './registry-settings.js';
import { JsonStateFile } from './state-file.js';

export interface RegistriesServiceOptions {
  config: AgentConfig;
  /** daemon.json changes through the config service (validated, atomic, live). */
  updateDaemonJson(patch: Record<string, unknown>): Promise<unknown>;
  recentPulls(limit: number): PullRecord[];
  probeIntervalMs?: number;
  log?: Logger | null;
}

/** `registries.*`: the host's registry settings, its mirrors' health, and who served recent pulls. */
export class RegistriesService {
  private readonly settings: RegistrySettingsStore;
  private readonly monitor: MirrorHealthMonitor;

  constructor(private readonly options: RegistriesServiceOptions) {
    const { config } = options;
    this.settings = new RegistrySettingsStore({
      config,
      defaultConfigFile: DEFAULT_CONFIG_FILE,
      updateDaemonJson: options.updateDaemonJson,
    });
    this.monitor = new MirrorHealthMonitor({
      config: () => ({
        registryMirrors: config.registryMirrors,
        insecureRegistries: config.insecureRegistries,
        certsDir: config.certsDir,
      }),
      registries: async () => (await this.settings.list()).registries.map((r) => r.registry),
      ...(options.probeIntervalMs ? { intervalMs: options.probeIntervalMs } : {}),
      stateFile: new JsonStateFile(
        join(config.dataRoot, 'registries', 'mirror-health.json'),
        z.array(MirrorHealthSchema),
        options.log ?? null,
      ),
      log: options.log ?? null,
    });
  }

  /** The saved probe history is read before the first round. */
  start(): Promise<void> {
    return this.monitor.start();
  }

  /** Stops probing; the last round's history is on disk. */
  close(): Promise<void> {
    return this.monitor.close();
  }

  list(): Promise<RegistrySettingsList> {
    return this.settings.list();
  }

  /** Replaces one registry's settings; its mirrors are probed again right away. */
  async set(settings: RegistrySettingsValue): Promise<RegistrySettings> {
    const result = await this.settings.write(settings);
    this.monitor
      .probe()
      .catch((error: unknown) =>
        this.options.log?.warn(
          { err: error, registry: settings.registry },
          'mirror health: probe after a change failed',
        ),
      );
    return result;
  }

  health(): MirrorHealthReport {
    return this.monitor.report();
  }

  probe(target?: ProbeTarget): Promise<MirrorHealthReport> {
    return this.monitor.probe(target);
  }

  recentPulls(limit: number): PullRecord[] {
    return this.options.recentPulls(limit);
  }
}
