import { statfs } from 'node:fs/promises';
import os from 'node:os';
import {
  HostConfigSchema,
  type HostUsage,
  type SystemInfo,
  SystemInfoSchema,
  type Version,
  VersionSchema,
} from '@stevedore/shared';
import type { AgentConfig } from '../config/agent-config.js';
import type { AgentPaths } from '../config/paths.js';
import { goArch } from '../host/arch.js';
import {
  type BackingFilesystem,
  type HostFacts,
  readBackingFilesystem,
  readHostFacts,
} from '../host/host-facts.js';
import { readKernelAbilities } from '../host/kernel-abilities.js';
import { detectRuntimes, type RuntimeBinary } from '../host/runtimes.js';
import { DEFAULT_ADDRESS_POOLS } from '../network/subnet-picker.js';
import type { Logger } from '../util/logger.js';
import { loadOrCreateEngineId } from './engine-id.js';
import { HostUsageSampler } from './host-usage.js';
import { indexConfigs, proxySettings } from './info-settings.js';
import { type ContainerCounts, countImages } from './store-counts.js';
import { AGENT_VERSION, API_VERSION, gitCommit } from './version.js';

// Docker's rule: loopback registries are always reachable without TLS verification.
const IMPLICIT_INSECURE_CIDRS = ['127.0.0.0/8'];
const CIDR = /^[\d.]+\/\d+$/;
/** Less free space than this on the data-root counts as full (the last blocks go to metadata). */
const FULL_BELOW_BYTES = 1024 * 1024;

/** Facts that do not change while the agent runs, gathered once at start. */
interface StaticFacts {
  engineId: string;
  host: HostFacts;
  backingFs: BackingFilesystem;
  runtimes: Partial<Record<string, RuntimeBinary>>;
  commit: string;
  warnings: string[];
}

/** What `info` reads of the containers: their counts, and records whose last save failed. */
export interface ContainerFigures {
  counts(): ContainerCounts;
  unsavedState(): number;
}

/** Answers `info` and `version` from real host facts and the agent's own store. */
export class SystemService {
  private readonly usageSampler: HostUsageSampler;

  private constructor(
    private readonly config: AgentConfig,
    private readonly paths: AgentPaths,
    private readonly facts: StaticFacts,
    private readonly containers: ContainerFigures,
  ) {
    this.usageSampler = new HostUsageSampler(paths.dataRoot);
  }

  /** Host CPU, memory and data-root disk use (one shared sample per second). */
  usage(): Promise<HostUsage> {
    return this.usageSampler.sample();
  }

  static async create(
    config: AgentConfig,
    paths: AgentPaths,
    containers: ContainerFigures,
    log: Logger,
  ): Promise<SystemService> {
    const [engineId, host, backingFs, runtimes, commit] = await Promise.all([
      loadOrCreateEngineId(paths.engineIdFile),
      readHostFacts(),
      readBackingFilesystem(paths.dataRoot),
      detectRuntimes(),
      gitCommit(),
    ]);
    const warnings = startupWarnings(config, backingFs, runtimes);
    for (const warning of warnings) log.warn(warning);
    return new SystemService(
      config,
      paths,
      { engineId, host, backingFs, runtimes, commit, warnings },
      containers,
    );
  }

  async info(): Promise<SystemInfo> {
    const { config, facts } = this;
    const containers = this.containers.counts();
    const images = await countImages(this.paths);
    const runtimes: Record<string, RuntimeBinary> = {};
    for (const [name, binary] of Object.entries(facts.runtimes)) if (binary) runtimes[name] = binary;
    const insecureHosts = config.insecureRegistries.filter((r) => !CIDR.test(r));
    const pools = config.defaultAddressPools.length > 0 ? config.defaultAddressPools : DEFAULT_ADDRESS_POOLS;
    return SystemInfoSchema.parse({
      ID: facts.engineId,
      Name: facts.host.hostname,
      ServerVersion: AGENT_VERSION,
      OperatingSystem: facts.host.operatingSystem,
      OSVersion: facts.host.osVersion,
      OSType: 'linux',
      KernelVersion: facts.host.kernelVersion,
      Architecture: facts.host.architecture,
      NCPU: facts.host.ncpu,
      MemTotal: os.totalmem(),
      DockerRootDir: config.dataRoot,
      ExecRoot: config.execRoot,
      Driver: 'overlay2',
      DriverStatus: [
        ['Backing Filesystem', facts.backingFs.name],
        ['Supports d_type', String(facts.backingFs.supportsDType)],
      ],
      CgroupVersion: facts.host.cgroupVersion,
      CgroupDriver: 'cgroupfs',
      DefaultRuntime: config.defaultRuntime,
      LoggingDriver: HostConfigSchema.parse({}).LogConfig.Type,
      SecurityOptions: [
        'name=seccomp,profile=default',
        ...(config.usernsRemap ? ['name=userns'] : []),
        ...(facts.host.cgroupVersion === '2' ? ['name=cgroupns'] : []),
      ],
      // Read each time: forwarding and bridge netfilter can be switched while the agent runs.
      ...(await readKernelAbilities()),
      ...proxySettings(process.env),
      Labels: [],
      DefaultAddressPools: pools.map((pool) => ({ Base: pool.base, Size: pool.size })),
      IndexServerAddress: 'https://index.docker.io/v1/',
      Runtimes: runtimes,
      Containers: containers.total,
      ContainersRunning: containers.running,
      ContainersPaused: containers.paused,
      ContainersStopped: containers.stopped,
      Images: images,
      RegistryConfig: {
        Mirrors: config.registryMirrors,
        InsecureRegistryCIDRs: [
          ...IMPLICIT_INSECURE_CIDRS,
          ...config.insecureRegistries.filter((r) => CIDR.test(r)),
        ],
        InsecureRegistries: insecureHosts,
        IndexConfigs: indexConfigs(config.registryMirrors, insecureHosts),
        AllowNondistributableArtifactsCIDRs: [],
        AllowNondistributableArtifactsHostnames: [],
      },
      LiveRestoreEnabled: config.liveRestore,
      IPTables: config.iptables,
      SystemTime: new Date().toISOString(),
      Warnings: [...facts.warnings, ...(await this.diskWarnings())],
    });
  }

  /** A full data-root, said while it lasts: the agent runs on, but containers cannot write. */
  private async diskWarnings(): Promise<string[]> {
    const warnings: string[] = [];
    const fs = await statfs(this.paths.dataRoot).catch(() => null);
    const free = fs ? fs.bavail * fs.bsize : null;
    if (free !== null && free < FULL_BELOW_BYTES) {
      warnings.push(
        `WARNING: no space left on device: the data-root ${this.paths.dataRoot} has ${free} bytes free; containers cannot write there and new containers, images and volumes fail until space is freed (rm, rmi, system prune)`,
      );
    }
    const unsaved = this.containers.unsavedState();
    if (unsaved > 0) {
      warnings.push(
        `WARNING: the state of ${unsaved} container(s) could not be saved yet (it is kept in memory and saved again until it lands)`,
      );
    }
    return warnings;
  }

  /** The engine's ID (`info`'s ID), the actor of daemon events. */
  get engineId(): string {
    return this.facts.engineId;
  }

  /** Adds a warning found after start-up (e.g. by the API listeners); logged by the caller. */
  addWarning(warning: string): void {
    this.facts.warnings.push(warning);
  }

  version(): Version {
    return VersionSchema.parse({
      Version: AGENT_VERSION,
      ApiVersion: API_VERSION,
      Os: 'linux',
      Arch: goArch(),
      KernelVersion: this.facts.host.kernelVersion,
      NodeVersion: process.version,
      GitCommit: this.facts.commit,
      Platform: { Name: 'Stevedore Engine' },
      Components: [
        {
          Name: 'Engine',
          Version: AGENT_VERSION,
          Details: {
            ApiVersion: API_VERSION,
            Arch: goArch(),
            GitCommit: this.facts.commit,
            KernelVersion: this.facts.host.kernelVersion,
            NodeVersion: process.version,
            Os: 'linux',
          },
        },
        ...Object.entries(this.facts.runtimes).flatMap(([name, binary]) =>
          binary ? [{ Name: name, Version: binary.version, Details: { GitCommit: '' } }] : [],
        ),
      ],
    });
  }
}

function startupWarnings(
  config: AgentConfig,
  backingFs: BackingFilesystem,
  runtimes: Partial<Record<string, RuntimeBinary>>,
): string[] {
  const warnings: string[] = [];
  if (!runtimes[config.defaultRuntime]) {
    warnings.push(`WARNING: the default runtime ${config.defaultRuntime} was not found in PATH`);
  }
  if (!backingFs.supportsDType) {
    warnings.push(
      `WARNING: the backing filesystem of ${config.dataRoot} (${backingFs.name}) does not support d_type; overlay2 needs it`,
    );
  }
  return warnings;
}
