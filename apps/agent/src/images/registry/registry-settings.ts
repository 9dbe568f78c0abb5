import { X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DOCKER_HUB_REGISTRY,
  type RegistrySettings,
  type RegistrySettingsList,
  type RegistrySettingsValue,
  StevedoreError,
} from '@stevedore/shared';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { insecureReason } from './endpoints.js';
import { readHostsConfig } from './hosts-config.js';
import { editHostsToml, MIRROR_CA_FILE } from './hosts-toml-edit.js';

/** What registry settings read and write: the live agent configuration and daemon.json. */
export interface RegistrySettingsDeps {
  config: {
    configFile: string | null;
    certsDir: string;
    registryMirrors: string[];
    insecureRegistries: string[];
    flagKeys: readonly string[];
  };
  defaultConfigFile: string;
  /** daemon.json keys to set (null removes one), applied live (the config service). */
  updateDaemonJson(patch: Record<string, unknown>): Promise<unknown>;
}

const HOSTS_TOML = 'hosts.toml';
const REGISTRY_CA = 'ca.crt';
const withoutSlash = (url: string) => url.replace(/\/+$/, '');
const isCidr = (entry: string) => entry.includes('/');

/**
 * Registries and their mirrors as the engine reads them at every pull: Docker Hub's mirrors from
 * daemon.json's `registry-mirrors`, any registry's from `<certs.d>/<registry>/hosts.toml`
 * (containerd's format), `insecure-registries`, and CA files. Changes are written atomically and
 * are in effect at the next pull, without a restart.
 */
export class RegistrySettingsStore {
  constructor(private readonly deps: RegistrySettingsDeps) {}

  private get certsDir(): string {
    return this.deps.config.certsDir;
  }

  async list(): Promise<RegistrySettingsList> {
    const { config } = this.deps;
    const names = new Set<string>([DOCKER_HUB_REGISTRY]);
    const entries = await readdir(this.certsDir, { withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    for (const entry of entries) if (entry.isDirectory()) names.add(entry.name);
    for (const entry of config.insecureRegistries) if (!isCidr(entry)) names.add(entry);
    const registries: RegistrySettings[] = [];
    const problems: { registry: string; error: string }[] = [];
    for (const name of [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
      try {
        registries.push(this.read(name));
      } catch (error) {
        problems.push({ registry: name, error: (error as Error).message });
      }
    }
    return {
      certsDir: this.certsDir,
      configFile: config.configFile ?? this.deps.defaultConfigFile,
      registries,
      flagKeys: [...config.flagKeys],
      problems,
    };
  }

  /** One registry's settings as in effect now. */
  read(registry: string): RegistrySettings {
    const { config } = this.deps;
    const hosts = readHostsConfig(this.certsDir, registry);
    const fromDaemonJson =
      registry === DOCKER_HUB_REGISTRY
        ? config.registryMirrors.map((url) => ({
            url: withoutSlash(url),
            ca: null,
            skipVerify: false,
            source: 'daemon.json' as const,
          }))
        : [];
    const reason = insecureReason(registry, config.insecureRegistries);
    return {
      registry,
      mirrors: [
        ...fromDaemonJson,
        ...(hosts?.mirrors ?? []).map((mirror) => ({
          url: mirror.url,
          ca: mirror.tls.ca ?? null,
          skipVerify: mirror.tls.skipVerify ?? false,
          source: 'hosts.toml' as const,
        })),
      ],
      insecure: reason !== null,
      insecureReason: reason,
      ca: hosts?.tls.ca ?? null,
      skipVerify: hosts?.tls.skipVerify ?? false,
      server: hosts?.server ?? null,
      directory: hosts ? join(this.certsDir, registry) : null,
    };
  }

  /**
   * Replaces one registry's settings. Docker Hub's mirrors go to daemon.json's `registry-mirrors`
   * unless one of them needs TLS settings, which only hosts.toml can hold: then all of them go
   * there, so their order is kept. Returns the settings as read back.
   */
  async write(settings: RegistrySettingsValue): Promise<RegistrySettings> {
    const { registry } = settings;
    const cas: [string, string | null][] = [
      [`the CA of ${registry}`, settings.ca],
      ...settings.mirrors.map((m): [string, string | null] => [`the CA of mirror ${m.url}`, m.ca]),
    ];
    for (const [what, pem] of cas) if (pem) checkCertificate(pem, what, registry);
    const urls = settings.mirrors.map((m) => m.url);
    if (new Set(urls).size !== urls.length) {
      throw new StevedoreError('INVALID_ARGUMENT', `${registry}: a mirror is listed twice`, { registry });
    }
    const before = this.read(registry);
    const hub = registry === DOCKER_HUB_REGISTRY;
    const mirrorsInDaemonJson = hub && settings.mirrors.every((m) => !m.ca && !m.skipVerify);
    const patch = this.daemonJsonPatch(settings, mirrorsInDaemonJson ? urls : []);
    const { config } = this.deps;
    const previous: Record<string, unknown> = {
      'registry-mirrors': config.registryMirrors.length > 0 ? config.registryMirrors.map(withoutSlash) : null,
      'insecure-registries': config.insecureRegistries.length > 0 ? [...config.insecureRegistries] : null,
    };
    const undo = Object.fromEntries(Object.keys(patch).map((key) => [key, previous[key]]));
    if (Object.keys(patch).length > 0) await this.deps.updateDaemonJson(patch);
    try {
      await this.writeCertsDir(settings, mirrorsInDaemonJson ? [] : settings.mirrors, before);
    } catch (error) {
      // The files could not be written: daemon.json goes back to what it said, so both agree.
      if (Object.keys(patch).length > 0) await this.deps.updateDaemonJson(undo);
      throw error;
    }
    return this.read(registry);
  }

  /** daemon.json keys whose value changes: Docker Hub's mirrors, this registry in the insecure list. */
  private daemonJsonPatch(settings: RegistrySettingsValue, hubMirrors: string[]): Record<string, unknown> {
    const { config } = this.deps;
    const patch: Record<string, unknown> = {};
    if (settings.registry === DOCKER_HUB_REGISTRY) {
      const current = config.registryMirrors.map(withoutSlash);
      if (JSON.stringify(current) !== JSON.stringify(hubMirrors)) {
        patch['registry-mirrors'] = hubMirrors.length > 0 ? hubMirrors : null;
      }
    }
    const listed = config.insecureRegistries.includes(settings.registry);
    if (settings.insecure !== listed) {
      const next = settings.insecure
        ? [...config.insecureRegistries, settings.registry]
        : config.insecureRegistries.filter((entry) => entry !== settings.registry);
      patch['insecure-registries'] = next.length > 0 ? next : null;
    }
    return patch;
  }

  /**
   * `<certs.d>/<registry>/`: hosts.toml edited where the settings changed (see hosts-toml-edit.ts),
   * CA files first, then hosts.toml replaced atomically (temp file and rename), then CA files
   * nothing names any more; a registry left with nothing loses its files.
   */
  private async writeCertsDir(
    settings: RegistrySettingsValue,
    mirrors: RegistrySettingsValue['mirrors'],
    before: RegistrySettings,
  ): Promise<void> {
    const dir = join(this.certsDir, settings.registry);
    const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    const current = existing?.includes(HOSTS_TOML) ? await readFile(join(dir, HOSTS_TOML), 'utf8') : null;
    const edit = editHostsToml(
      current,
      {
        ca: before.ca,
        skipVerify: before.skipVerify,
        mirrors: before.mirrors.filter((m) => m.source === 'hosts.toml'),
      },
      { ca: settings.ca, skipVerify: settings.skipVerify, mirrors },
    );
    const keepsCrt = edit.registryCa.action === 'keep';
    const managed = (name: string) =>
      name === HOSTS_TOML || MIRROR_CA_FILE.test(name) || (!keepsCrt && name.endsWith('.crt'));
    if (edit.text === null && edit.registryCa.action !== 'write' && !(keepsCrt && before.ca)) {
      if (existing === null) return;
      await Promise.all(existing.filter(managed).map((name) => rm(join(dir, name), { force: true })));
      // Client certificates (*.cert, *.key) or other files keep the directory.
      await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'ENOENT') throw error;
      });
      return;
    }
    await mkdir(dir, { recursive: true });
    const keep = new Set<string>(edit.referenced);
    for (const [file, pem] of edit.mirrorCaFiles) {
      await writeFileAtomic(join(dir, file), pem, 0o644);
      keep.add(file);
    }
    if (edit.registryCa.action === 'write') {
      await writeFileAtomic(join(dir, REGISTRY_CA), edit.registryCa.pem, 0o644);
      keep.add(REGISTRY_CA);
    }
    if (edit.text !== null) {
      await writeFileAtomic(join(dir, HOSTS_TOML), edit.text, 0o644);
      keep.add(HOSTS_TOML);
    }
    const stale = (existing ?? []).filter((name) => !keep.has(name) && managed(name));
    await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
  }
}

function checkCertificate(pem: string, what: string, registry: string): void {
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `${what} is not a readable PEM certificate: ${(error as Error).message}`,
      {
        registry,
      },
    );
  }
}

const rank = (name: string) => (name === DOCKER_HUB_REGISTRY ? 0 : 1);
