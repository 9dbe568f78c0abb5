import { join } from 'node:path';
import type { AgentServices } from './api/trpc.js';
import type { TokenStore } from './auth/token-store.js';
import type { AgentConfig } from './config/agent-config.js';
import { ConfigService } from './config/config-service.js';
import type { AgentPaths } from './config/paths.js';
import type { EventBus } from './events/event-bus.js';
import type { EventsService } from './events/events-service.js';
import { RegistriesService } from './images/registry/registries-service.js';
import { queryUsage } from './runtime/stats/usage-query.js';
import type { Engine } from './start-engine.js';
import { containerLogUsage } from './system/container-log-usage.js';
import { readDataRootInfo } from './system/data-root-info.js';
import { diskUsageDetails, diskUsageReport } from './system/disk-usage-report.js';
import { readLastOutcome } from './system/migration/last-outcome.js';
import { MigrationService } from './system/migration/migration-service.js';
import { reportTarget } from './system/migration/target-report.js';
import { readPruneInventory } from './system/prune/prune-inventory.js';
import { PruneRecord } from './system/prune/prune-record.js';
import { PruneService } from './system/prune/prune-service.js';
import type { Logger } from './util/logger.js';
import { VolumeService } from './volumes/volume-service.js';

export interface ApiServicesDeps {
  config: AgentConfig;
  paths: AgentPaths;
  engine: Engine;
  events: EventBus;
  eventsService: EventsService;
  tokens: TokenStore;
  /** Restarts the agent in-process on the new configuration (after a data-root migration). */
  requestReload(): void;
  log: Logger;
}

/** The services the API serves, and the background ones among them that must be closed. */
export interface ApiServices {
  services: AgentServices;
  registries: RegistriesService;
  prune: PruneService;
}

/**
 * The services around the engine (configuration, registries, migration, volumes, pruning, disk
 * usage) and the set the API serves; starts those that run on their own.
 */
export async function startApiServices(deps: ApiServicesDeps): Promise<ApiServices> {
  const { config, paths, engine, eventsService, log } = deps;
  const { containers, containerStore, images, references, usage } = engine;
  const configService = new ConfigService(config);
  const registries = new RegistriesService({
    config,
    updateDaemonJson: (patch) => configService.update(patch),
    recentPulls: (limit) => images.recentPulls(limit),
    log: log.child({ module: 'registries' }),
  });
  await registries.start();
  const migration = new MigrationService({
    config,
    configService,
    containers: {
      running: () =>
        containers.list(false).map((c) => ({
          Id: c.Id,
          Name: c.Names[0]?.replace(/^\//, '') ?? c.Id,
          paused: c.State === 'paused',
        })),
      stop: (id) => containers.stop(id),
      start: (id) => containers.start(id),
    },
    requestReload: () => deps.requestReload(),
    quiesceWriters: async () => {
      const resume = usage.pause();
      await eventsService.saved();
      return resume;
    },
    log: log.child({ module: 'migration' }),
  });
  const volumes = new VolumeService(engine.volumeStore, deps.events, (name) => containers.volumeInUse(name));
  const usageSources = {
    images: () => images.usage(),
    containers: () => references.containerLayerUsage(),
    volumes: () => volumes.usage(),
    leftovers: () => images.leftoverUsage(),
    logs: () =>
      containerLogUsage(references.containerLayerUsage(), (id) =>
        join(containerStore.containerDir(id), `${id}.log`),
      ),
    summaries: () => containers.list(true),
  };
  const prune = new PruneService({
    policy: () => config.prunePolicy ?? null,
    inventory: () =>
      readPruneInventory({
        danglingImages: () => images.list(['dangling=true']),
        details: () => diskUsageDetails(usageSources),
        containers: () => containers.list(true),
        finishedAt: (id) =>
          containers.inspect(id).then(
            (inspect) => inspect.State.FinishedAt,
            // Removed meanwhile: counted from its creation; its removal then fails as "no such container".
            () => null,
          ),
      }),
    remove: async (item) => {
      if (item.kind === 'image') await images.remove(item.id, false);
      else if (item.kind === 'container') await containers.remove(item.id, { force: false, volumes: false });
      else await volumes.remove(item.id, false);
    },
    record: new PruneRecord(join(paths.dataRoot, 'prune'), log.child({ module: 'prune' })),
    log: log.child({ module: 'prune' }),
    ...pruneTiming(),
  });
  prune.start();
  const services: AgentServices = {
    system: engine.system,
    tokens: deps.tokens,
    images,
    containers,
    stats: engine.stats,
    exec: engine.exec,
    volumes,
    networks: engine.networks,
    events: eventsService,
    config: configService,
    migration,
    prune,
    registries,
    dataRoot: {
      info: async () =>
        readDataRootInfo({
          dataRoot: config.dataRoot,
          migratable: !config.flagKeys.includes('data-root'),
          migrationRunning: migration.isRunning,
          lastMigration: await readLastOutcome(config.dataRoot, log),
        }),
      check: (target) =>
        reportTarget(
          config.dataRoot,
          target,
          containers.list(false).map((c) => c.Names[0]?.replace(/^\//, '') ?? c.Id),
        ),
    },
    usage: {
      history: (input) =>
        queryUsage(usage.root, containers.resolveIds([input.container])[0] ?? input.container, input),
    },
    diskUsage: {
      report: () => diskUsageReport(usageSources),
      details: () => diskUsageDetails(usageSources),
    },
  };
  return { services, registries, prune };
}

/** An hour of `interval-hours` and the scheduler's tick; tests shorten both. */
function pruneTiming(): { hourMs: number; tickMs: number } {
  const hour = Number(process.env.STEVEDORE_TEST_PRUNE_HOUR_MS);
  const tick = Number(process.env.STEVEDORE_TEST_PRUNE_TICK_MS);
  return {
    hourMs: Number.isInteger(hour) && hour > 0 ? hour : 3_600_000,
    tickMs: Number.isInteger(tick) && tick > 0 ? tick : 60_000,
  };
}
