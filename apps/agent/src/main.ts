import { mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { isStevedoreError } from '@stevedore/shared';
import { startApiServer } from './api/server.js';
import { prepareSocketPath } from './api/unix-socket.js';
import { TokenStore } from './auth/token-store.js';
import { AGENT_FLAGS, type AgentConfig } from './config/agent-config.js';
import { ConfigService } from './config/config-service.js';
import { parseHostAddress } from './config/host-address.js';
import { ConfigError, loadAgentConfig } from './config/load-config.js';
import { type AgentPaths, agentPaths, prepareRoots } from './config/paths.js';
import { EventBus } from './events/event-bus.js';
import { EventsService } from './events/events-service.js';
import { readHostResources } from './host/host-resources.js';
import { findExecutable } from './host/runtimes.js';
import { ImageService } from './images/image-service.js';
import { RegistriesService } from './images/registry/registries-service.js';
import type { NetworkServiceOptions } from './network/network-context.js';
import { hostNameservers } from './network/network-dns.js';
import { NetworkService } from './network/network-service.js';
import { NetworkStore } from './network/network-store.js';
import { ContainerNetworking } from './runtime/containers/container-networking.js';
import { ContainerService } from './runtime/containers/container-service.js';
import { ContainerStore } from './runtime/containers/container-store.js';
import { removeDanglingSocketLinks } from './runtime/containers/orphans.js';
import { ExecService } from './runtime/exec/exec-service.js';
import { HealthMonitor } from './runtime/health/health-monitor.js';
import { Runc } from './runtime/oci/runc.js';
import { StatsSampler } from './runtime/stats/stats-sampler.js';
import { queryUsage } from './runtime/stats/usage-query.js';
import { UsageRecorder } from './runtime/stats/usage-recorder.js';
import { RemappedLayers } from './runtime/userns/remapped-layers.js';
import { resolveIdMap } from './runtime/userns/resolve-id-map.js';
import { LayerReferences } from './storage/layer-references.js';
import { Overlay2Store } from './storage/overlay2/layer-store.js';
import { containerLogUsage } from './system/container-log-usage.js';
import { readDataRootInfo } from './system/data-root-info.js';
import { diskUsageDetails, diskUsageReport } from './system/disk-usage-report.js';
import { readLastOutcome } from './system/migration/last-outcome.js';
import {
  MigrationService,
  settledMigrationMessage,
  settleMigration,
} from './system/migration/migration-service.js';
import { reportTarget } from './system/migration/target-report.js';
import { readPruneInventory } from './system/prune/prune-inventory.js';
import { PruneRecord } from './system/prune/prune-record.js';
import { PruneService } from './system/prune/prune-service.js';
import { SystemService } from './system/system-service.js';
import { AGENT_VERSION, gitCommit } from './system/version.js';
import { formatFlagHelp } from './util/argv.js';
import { createLogger, type Logger } from './util/logger.js';
import { installProcessGuards } from './util/process-guards.js';
import { lockRoot, type RootLock } from './util/root-lock.js';
import { VolumeService } from './volumes/volume-service.js';
import { VolumeStore } from './volumes/volume-store.js';

const USAGE = `Usage:\tstevedore-agent [OPTIONS]

The Stevedore container engine agent.

Options:
${formatFlagHelp(AGENT_FLAGS)}
`;

/** The composition root: config → store → services → API, then run until SIGTERM/SIGINT. */
export async function main(argv: readonly string[]): Promise<number> {
  let config: AgentConfig;
  let loadedAction: 'run' | 'cleanup';
  try {
    const loaded = await loadAgentConfig(argv);
    if (loaded.action === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (loaded.action === 'version') {
      process.stdout.write(`Stevedore agent version ${AGENT_VERSION}, build ${await gitCommit()}\n`);
      return 0;
    }
    config = loaded.config;
    loadedAction = loaded.action;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  const log = createLogger(config.logLevel);
  installProcessGuards(log);
  try {
    if (loadedAction === 'cleanup') {
      // Never under a live agent's feet; one just killed gets a moment to be gone.
      const locks = await lockRoots(agentPaths(config), 15);
      try {
        await NetworkService.cleanup(networkOptions(config, new EventBus(), log, []));
        await removeDanglingSocketLinks(config.execRoot);
      } finally {
        for (const lock of locks) await lock.release();
      }
      return 0;
    }
    // A data-root migration restarts the agent in this process, on the configuration it switched.
    for (;;) {
      const outcome = await run(config, log);
      if (outcome !== 'reload') return outcome;
      const reloaded = await loadAgentConfig(argv);
      if (reloaded.action !== 'run') return 1;
      config = reloaded.config;
      log.info({ dataRoot: config.dataRoot }, 'restarting on the new configuration');
    }
  } catch (error) {
    log.debug({ err: error }, 'start-up failed');
    const message = isStevedoreError(error) || error instanceof Error ? error.message : String(error);
    process.stderr.write(`failed to start agent: ${message}\n`);
    return 1;
  }
}

async function run(config: AgentConfig, log: Logger): Promise<number | 'reload'> {
  const paths = agentPaths(config);
  await prepareRoots(paths);
  // Two agents on one root would hand out the same addresses and adopt each other's containers.
  const locks = await lockRoots(paths, 0);
  try {
    return await runLocked(config, paths, log);
  } finally {
    for (const lock of locks) await lock.release();
  }
}

/** Exclusive locks on the data-root and the exec-root, held until released or the process dies. */
async function lockRoots(paths: AgentPaths, waitSeconds: number): Promise<RootLock[]> {
  await mkdir(paths.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(paths.execRoot, { recursive: true, mode: 0o700 });
  const data = await lockRoot(paths.dataRoot, 'data-root', waitSeconds);
  try {
    return [data, await lockRoot(paths.execRoot, 'exec-root', waitSeconds)];
  } catch (error) {
    await data.release();
    throw error;
  }
}

async function runLocked(config: AgentConfig, paths: AgentPaths, log: Logger): Promise<number | 'reload'> {
  const settled = await settleMigration(paths.dataRoot, log.child({ module: 'migration' }));
  // Refuse a socket another agent serves before touching bridges, rules or containers.
  for (const host of config.hosts) {
    const address = parseHostAddress(host);
    if (address.kind === 'unix') await prepareSocketPath(address.path);
  }
  const tokens = await TokenStore.open(paths.tokensFile);
  const events = new EventBus();
  const eventsService = new EventsService(
    events,
    join(paths.dataRoot, 'events.jsonl'),
    log.child({ module: 'events' }),
  );
  await eventsService.init();
  // The layer store is a service of its own: images unpack into it, containers mount from it.
  const layers = new Overlay2Store(join(paths.dataRoot, 'overlay2'));
  await layers.init();
  // --userns-remap: containers get a user namespace and layer copies owned by the mapped range,
  // kept under <data-root>/<uid>.<gid>/ like dockerd's.
  const idMap = config.usernsRemap ? await resolveIdMap(config.usernsRemap) : null;
  const remap = idMap
    ? new RemappedLayers(
        layers,
        new Overlay2Store(join(paths.dataRoot, `${idMap.uid.start}.${idMap.gid.start}`, 'overlay2')),
        idMap,
      )
    : null;
  await remap?.init();
  const containerLayers = remap?.target ?? layers;
  const containerStore = new ContainerStore(paths.containers, log.child({ module: 'containers' }));
  // What stands on layers (containers, pulls, loads, commits): read by image removal and GC.
  const references = new LayerReferences(containerStore, containerLayers);
  const images = await ImageService.create({
    config,
    paths,
    layers,
    references,
    ...(remap ? { layersRemoved: (chainIds: string[]) => remap.removeLayers(chainIds) } : {}),
    events,
    log: log.child({ module: 'images' }),
  });
  const volumeStore = new VolumeStore(
    join(paths.dataRoot, 'volumes'),
    idMap ? { uid: idMap.uid.start, gid: idMap.gid.start } : null,
  );
  await volumeStore.init();
  const runc = new Runc(
    (await findExecutable(config.defaultRuntime)) ?? config.defaultRuntime,
    join(paths.execRoot, 'runc'),
  );
  const hostResources = await readHostResources();
  const networks = await networkService(config, events, log);
  const containers = await ContainerService.create({
    store: containerStore,
    layers: containerLayers,
    remap,
    volumes: volumeStore,
    runc,
    conmonBinary: (await findExecutable('conmon')) ?? 'conmon',
    events,
    host: hostResources,
    claimImage: (reference, containerId) => images.claimForContainer(reference, containerId),
    commitImage: (options) => images.commit(options),
    networking: new ContainerNetworking(networks),
    execRoot: paths.execRoot,
    cgroupParent: config.cgroupParent,
    logOpts: config.logOpts,
    log: log.child({ module: 'containers' }),
  });
  await images.collectLeftoversLater(leftoverGraceMs(), log.child({ module: 'images' }));
  const system = await SystemService.create(
    config,
    paths,
    { counts: () => containers.counts(), unsavedState: () => containerStore.unsavedCount() },
    log.child({ module: 'system' }),
  );
  // Each container's usage history: recorded by the shared sampler, removed with the container.
  const usage = new UsageRecorder(
    join(paths.dataRoot, 'usage'),
    hostResources.onlineCpus.length,
    log.child({ module: 'usage' }),
  );
  try {
    usage.init(containers.list(true).map((c) => c.Id));
  } catch (error) {
    // A full or read-only disk costs the history, never the agent; recording retries each tick.
    log.warn({ err: error, root: usage.root }, 'usage history: cannot prepare its directory');
  }
  events.onEvent((event) => {
    if (event.Type !== 'container' || event.Action !== 'destroy') return;
    usage
      .remove(event.Actor.ID)
      .catch((error) => log.warn({ err: error, id: event.Actor.ID }, 'usage history: removal failed'));
  });
  const stats = new StatsSampler(
    () => containers.runningForStats(),
    {
      cgroupVersion: hostResources.cgroupVersion,
      cgroupRoot: '/sys/fs/cgroup',
      onlineCpus: hostResources.onlineCpus.length,
      memTotal: totalmem(),
    },
    1000,
    usage,
  );
  stats.startRecording();
  const exec = new ExecService(
    containers,
    runc,
    hostResources,
    paths.execRoot,
    log.child({ module: 'exec' }),
  );
  const health = new HealthMonitor(containers, exec, events, log.child({ module: 'health' }));
  health.start();
  let reload: () => void = () => {};
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
    requestReload: () => reload(),
    quiesceWriters: async () => {
      const resume = usage.pause();
      await eventsService.saved();
      return resume;
    },
    log: log.child({ module: 'migration' }),
  });
  const volumes = new VolumeService(volumeStore, events, (name) => containers.volumeInUse(name));
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
  const api = await startApiServer({
    hosts: config.hosts,
    tls: config.tlsCert && config.tlsKey ? { certFile: config.tlsCert, keyFile: config.tlsKey } : null,
    services: {
      system,
      tokens,
      images,
      containers,
      stats,
      exec,
      volumes,
      networks,
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
    },
    verifyToken: (token) => tokens.verify(token),
    log: log.child({ module: 'api' }),
  });
  for (const warning of networks.warnings) system.addWarning(warning);
  // Before the first await after listening: `info` must already say so when the socket answers.
  if (settled?.outcome === 'rolled back') system.addWarning(`WARNING: ${settledMigrationMessage(settled)}`);
  tokens.onRemoved((id) => api.disconnectToken(id));
  for (const address of api.addresses) {
    if (address.startsWith('tcp://') && !config.tlsCert) {
      const warning = `WARNING: API is accessible on ${address} without encryption (loopback only, token required)`;
      system.addWarning(warning);
      log.warn(warning);
    }
  }
  log.info(
    { addresses: api.addresses, dataRoot: config.dataRoot },
    `API listening on ${api.addresses.join(', ')}`,
  );

  if (settled) {
    for (const id of settled.stopped) {
      await containers
        .start(id)
        .catch((error) => log.warn({ err: error, id }, 'restart after migration failed'));
    }
    log.info(settledMigrationMessage(settled));
    events.publish('daemon', 'migrate-root', system.engineId, {
      outcome: settled.outcome,
      source: settled.source,
      target: settled.target,
    });
  }

  const stop = await new Promise<NodeJS.Signals | 'reload'>((resolve) => {
    const onTerm = () => resolve('SIGTERM');
    const onInt = () => resolve('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    reload = () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve('reload');
    };
  });
  stats.close();
  health.close();
  await registries.close();
  await prune.close();
  if (stop === 'reload') {
    await api.close();
    await containers.close(false);
    await networks.close();
    await images.close();
    return 'reload';
  }
  log.info({ signal: stop }, 'shutting down');
  // A second signal while draining means "now".
  const forceExit = () => process.exit(1);
  process.once('SIGTERM', forceExit);
  process.once('SIGINT', forceExit);
  await api.close();
  await containers.close(!config.liveRestore);
  await networks.close();
  await images.close();
  log.info('stopped');
  return 0;
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

/** How long unfinished downloads found at start-up are kept for a pull tried again. */
function leftoverGraceMs(): number {
  // Test hook: a short grace period, so the start-up collection can be seen in a test.
  const test = Number(process.env.STEVEDORE_TEST_LEFTOVER_GRACE_MS);
  return Number.isInteger(test) && test > 0 ? test : 15 * 60_000;
}

async function networkService(config: AgentConfig, events: EventBus, log: Logger): Promise<NetworkService> {
  return NetworkService.create(
    networkOptions(config, events, log, config.dns.length > 0 ? config.dns : await hostNameservers()),
  );
}

function networkOptions(
  config: AgentConfig,
  events: EventBus,
  log: Logger,
  upstreams: string[],
): NetworkServiceOptions {
  return {
    store: new NetworkStore(join(config.dataRoot, 'networks')),
    execRoot: config.execRoot,
    dataRoot: config.dataRoot,
    bridge: config.bridge,
    bip: config.bip,
    defaultAddressPools: config.defaultAddressPools,
    iptables: config.iptables,
    events,
    log: log.child({ module: 'networks' }),
    dns: config.dns,
    upstreams: () => upstreams,
  };
}
