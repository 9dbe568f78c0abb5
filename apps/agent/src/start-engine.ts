import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig } from './config/agent-config.js';
import type { AgentPaths } from './config/paths.js';
import type { EventBus } from './events/event-bus.js';
import { type HostResources, readHostResources } from './host/host-resources.js';
import { findExecutable } from './host/runtimes.js';
import { ImageService } from './images/image-service.js';
import { agentNetworkService } from './network/agent-network-options.js';
import type { NetworkService } from './network/network-service.js';
import { ContainerNetworking } from './runtime/containers/container-networking.js';
import { ContainerService } from './runtime/containers/container-service.js';
import { ContainerStore } from './runtime/containers/container-store.js';
import { ExecService } from './runtime/exec/exec-service.js';
import { HealthMonitor } from './runtime/health/health-monitor.js';
import { Runc } from './runtime/oci/runc.js';
import { StatsSampler } from './runtime/stats/stats-sampler.js';
import { UsageRecorder } from './runtime/stats/usage-recorder.js';
import { RemappedLayers } from './runtime/userns/remapped-layers.js';
import { resolveIdMap } from './runtime/userns/resolve-id-map.js';
import { LayerReferences } from './storage/layer-references.js';
import { Overlay2Store } from './storage/overlay2/layer-store.js';
import { SystemService } from './system/system-service.js';
import type { Logger } from './util/logger.js';
import { VolumeStore } from './volumes/volume-store.js';

/** The engine's parts: stores, images, networks, containers and what watches them. */
export interface Engine {
  containerStore: ContainerStore;
  references: LayerReferences;
  images: ImageService;
  volumeStore: VolumeStore;
  hostResources: HostResources;
  networks: NetworkService;
  containers: ContainerService;
  system: SystemService;
  usage: UsageRecorder;
  stats: StatsSampler;
  exec: ExecService;
  health: HealthMonitor;
}

/** Opens the stores and starts the engine's services, in the order they depend on each other. */
export async function startEngine(
  config: AgentConfig,
  paths: AgentPaths,
  events: EventBus,
  log: Logger,
): Promise<Engine> {
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
  const networks = await agentNetworkService(config, events, log);
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
  const { usage, stats } = startUsageRecording(paths, events, hostResources, containers, log);
  const exec = new ExecService(
    containers,
    runc,
    hostResources,
    paths.execRoot,
    log.child({ module: 'exec' }),
  );
  const health = new HealthMonitor(containers, exec, events, log.child({ module: 'health' }));
  health.start();
  return {
    containerStore,
    references,
    images,
    volumeStore,
    hostResources,
    networks,
    containers,
    system,
    usage,
    stats,
    exec,
    health,
  };
}

/** Each container's usage history: recorded by the shared sampler, removed with the container. */
function startUsageRecording(
  paths: AgentPaths,
  events: EventBus,
  hostResources: HostResources,
  containers: ContainerService,
  log: Logger,
): { usage: UsageRecorder; stats: StatsSampler } {
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
  return { usage, stats };
}

/** How long unfinished downloads found at start-up are kept for a pull tried again. */
function leftoverGraceMs(): number {
  // Test hook: a short grace period, so the start-up collection can be seen in a test.
  const test = Number(process.env.STEVEDORE_TEST_LEFTOVER_GRACE_MS);
  return Number.isInteger(test) && test > 0 ? test : 15 * 60_000;
}
