/** Registry settings for the mirrors benchmark: kept per host; a change answers after `updateMs`. */
import type { RegistrySettings, RegistrySettingsValue } from '@stevedore/shared';

export function registries(updateMs: number) {
  const registrySettings = new Map<string, RegistrySettings>();
  return {
    list: async () => ({
      certsDir: '/etc/stevedore/certs.d',
      configFile: '/etc/stevedore/daemon.json',
      registries: [...registrySettings.values()],
      flagKeys: [],
      problems: [],
    }),
    set: async (value: RegistrySettingsValue): Promise<RegistrySettings> => {
      if (updateMs > 0) await new Promise((resolve) => setTimeout(resolve, updateMs));
      const settings: RegistrySettings = {
        registry: value.registry,
        mirrors: value.mirrors.map((m) => ({
          ...m,
          source: value.registry === 'docker.io' && !m.ca && !m.skipVerify ? 'daemon.json' : 'hosts.toml',
        })),
        insecure: value.insecure,
        insecureReason: value.insecure ? 'listed' : null,
        ca: value.ca,
        skipVerify: value.skipVerify,
        server: null,
        directory: null,
      };
      registrySettings.set(value.registry, settings);
      return settings;
    },
    health: () => ({ intervalMs: 30_000, mirrors: [] }),
    probe: async () => ({ intervalMs: 30_000, mirrors: [] }),
    recentPulls: () => [],
  };
}
