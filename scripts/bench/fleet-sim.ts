/**
 * Simulated hosts for `npm run bench -- web`: serves the agent's real API (its tRPC router and
 * websocket transport, from the built agent) on N unix sockets in this one process, each backed by
 * fake services that return synthetic, schema-valid data for a host with C containers. Only what the
 * dashboard's fleet overview and event feed call is faked; any other procedure fails (and is logged).
 *
 *   node --import tsx scripts/bench/fleet-sim.ts DIR HOSTS CONTAINERS EVENT_EVERY_MS [UPDATE_MS]
 *
 * Prints one JSON line `{"ready":true,"sockets":[…]}` on stdout once every socket listens; stops on
 * SIGTERM or when its stdin closes (the benchmark that started it is gone). With EVENT_EVERY_MS > 0 each host emits a container event (start or die) that often,
 * each host at its own phase. `containers.inspect` and `containers.update` keep each container's
 * HostConfig (for the presets benchmark); an update answers after UPDATE_MS.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  ContainerConfigSchema,
  ContainerInspectSchema,
  type ContainerLimits,
  type ContainerStats,
  type ContainerSummary,
  ContainerSummarySchema,
  type DiskUsageRow,
  DiskUsageRowSchema,
  type EngineEvent,
  type HostConfig,
  HostConfigSchema,
  type HostUsage,
  HostUsageSchema,
  type ImageSummary,
  ImageSummarySchema,
  LIMIT_FIELDS,
  type RegistrySettings,
  type RegistrySettingsValue,
  type ResourcesUpdate,
  StevedoreError,
  type SystemInfo,
  SystemInfoSchema,
} from '@stevedore/shared';
import { type ApiServer, startApiServer } from '../../apps/agent/dist/api/server.js';
import type { AgentServices } from '../../apps/agent/dist/api/trpc.js';
import { createLogger } from '../../apps/agent/dist/util/logger.js';

const [dir, hostsArg = '50', containersArg = '200', eventEveryArg = '0', updateMsArg = '0'] =
  process.argv.slice(2);
if (!dir) {
  console.error('usage: fleet-sim.ts DIR HOSTS CONTAINERS EVENT_EVERY_MS');
  process.exit(2);
}
const hostCount = Number(hostsArg);
const containerCount = Number(containersArg);
const eventEveryMs = Number(eventEveryArg);
const updateMs = Number(updateMsArg);
const IMAGES = 40;
const GiB = 1024 ** 3;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function fakeHost(index: number): { services: AgentServices; close(): void } {
  const name = `sim-${String(index + 1).padStart(2, '0')}`;
  const engineId = hex(32);
  const images: ImageSummary[] = Array.from({ length: IMAGES }, (_, i) =>
    ImageSummarySchema.parse({
      Id: `sha256:${hex(32)}`,
      RepoTags: [`registry.example.com/team${i % 8}/app${i}:v${i % 5}`],
      RepoDigests: [],
      Created: new Date(Date.now() - i * 86_400_000).toISOString(),
      Size: (50 + i * 13) * 1024 * 1024,
    }),
  );
  const running = Math.round(containerCount * 0.75);
  const containers: ContainerSummary[] = Array.from({ length: containerCount }, (_, i) => {
    const image = images[i % IMAGES] as ImageSummary;
    const up = i < running;
    return ContainerSummarySchema.parse({
      Id: hex(32),
      Names: [`/${name}-app-${i}`],
      Image: image.RepoTags[0],
      ImageID: image.Id,
      Command: '"/docker-entrypoint.sh nginx -g \'daemon off;\'"',
      Created: Math.floor(Date.now() / 1000) - 3600 * (i + 1),
      State: up ? 'running' : 'exited',
      Status: up ? `Up ${i + 1} hours` : `Exited (0) ${i} minutes ago`,
      Labels: { 'com.example.team': `team${i % 8}`, 'com.example.service': `svc${i % 20}` },
      Ports: up && i % 4 === 0 ? [{ PrivatePort: 80, PublicPort: 8000 + i, Type: 'tcp', IP: '0.0.0.0' }] : [],
      Mounts: [],
      StartedAt: new Date(Date.now() - 3_600_000 * (i + 1)).toISOString(),
    });
  });
  const info = (): SystemInfo => {
    const stopped = containers.filter((c) => c.State !== 'running').length;
    return SystemInfoSchema.parse({
      ID: engineId,
      Name: name,
      ServerVersion: '0.1.0',
      OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
      OSType: 'linux',
      KernelVersion: '6.1.0-simulated',
      Architecture: 'x86_64',
      NCPU: 8,
      MemTotal: 32 * GiB,
      DockerRootDir: '/var/lib/stevedore',
      ExecRoot: '/run/stevedore',
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'extfs']],
      CgroupVersion: '2',
      CgroupDriver: 'cgroupfs',
      DefaultRuntime: 'runc',
      Runtimes: { runc: { path: '/usr/sbin/runc', version: '1.1.5' } },
      Containers: containers.length,
      ContainersRunning: containers.length - stopped,
      ContainersPaused: 0,
      ContainersStopped: stopped,
      Images: images.length,
      RegistryConfig: { Mirrors: [], InsecureRegistryCIDRs: ['127.0.0.0/8'], InsecureRegistries: [] },
      LiveRestoreEnabled: false,
      IPTables: true,
      SystemTime: new Date().toISOString(),
      Warnings: [],
    });
  };
  // A CPU reading that wanders like a real host's, so every usage refresh changes the row.
  let cpu = 10 + Math.random() * 60;
  const usage = (): HostUsage => {
    cpu = Math.min(100, Math.max(0, cpu + (Math.random() - 0.5) * 10));
    return HostUsageSchema.parse({
      cpuPercent: cpu,
      ncpu: 8,
      loadAverage: [cpu / 12, cpu / 13, cpu / 14],
      memTotal: 32 * GiB,
      memUsed: Math.round((8 + Math.random() * 16) * GiB),
      diskTotal: 500 * GiB,
      diskUsed: Math.round((120 + index) * GiB),
      sampledAt: new Date().toISOString(),
    });
  };
  const imagesSize = images.reduce((sum, image) => sum + image.Size, 0);
  const df: DiskUsageRow[] = [
    { type: 'Images', total: images.length, active: 30, size: imagesSize, reclaimable: imagesSize / 4 },
    { type: 'Containers', total: containers.length, active: running, size: 2 * GiB, reclaimable: 0 },
    { type: 'Local Volumes', total: 12, active: 10, size: 5 * GiB, reclaimable: GiB },
    { type: 'Build Cache', total: 0, active: 0, size: 0, reclaimable: 0 },
  ].map((row) => DiskUsageRowSchema.parse({ ...row, reclaimable: Math.floor(row.reclaimable) }));

  // Engine events: strictly increasing nanoseconds, as the agent's event bus stamps them.
  const subscribers = new Set<(event: EngineEvent) => void>();
  // The recent past, for a stream resumed with `since` (as the agent's event log answers it).
  const history: EngineEvent[] = [];
  let lastNanos = 0n;
  const publish = (container: ContainerSummary, action: 'start' | 'die') => {
    let nanos = BigInt(Date.now()) * 1_000_000n;
    if (nanos <= lastNanos) nanos = lastNanos + 1n;
    lastNanos = nanos;
    const event: EngineEvent = {
      Type: 'container',
      Action: action,
      Actor: {
        ID: container.Id,
        Attributes: { name: (container.Names[0] ?? '').slice(1), image: container.Image },
      },
      scope: 'local',
      time: Number(nanos / 1_000_000_000n),
      timeNano: String(nanos),
    };
    history.push(event);
    if (history.length > 1_000) history.shift();
    for (const subscriber of subscribers) subscriber(event);
  };
  let tick: NodeJS.Timeout | null = null;
  let phase: NodeJS.Timeout | null = null;
  if (eventEveryMs > 0) {
    // One container toggles per tick: it dies, and comes back up on its next turn.
    let next = 0;
    phase = setTimeout(() => {
      tick = setInterval(() => {
        const container = containers[next % running] as ContainerSummary;
        const action = container.State === 'running' ? 'die' : 'start';
        container.State = action === 'die' ? 'exited' : 'running';
        container.Status = action === 'die' ? 'Exited (0) Less than a second ago' : 'Up Less than a second';
        if (action === 'start') next++;
        publish(container, action);
      }, eventEveryMs);
    }, Math.random() * eventEveryMs);
  }

  // Live usage for `containers.stats` (the agent's shared 1 Hz sampler): a third of the running
  // containers busy (CPU, memory and network move every second), the rest idle (nothing moves).
  const MiB = 1024 * 1024;
  const usageOf = containers.map((container, i) => ({
    busy: i % 3 === 0,
    cpu: i % 3 === 0 ? 5 + Math.random() * 80 : 0,
    memory: (20 + (i % 17) * 13) * MiB,
    limit: i % 2 === 0 ? 512 * MiB : 32 * GiB,
    rx: 0,
    tx: 0,
    id: container.Id,
    name: (container.Names[0] ?? '').slice(1),
  }));
  const sample = (): ContainerStats[] => {
    const read = new Date().toISOString();
    return usageOf.flatMap((u, i) => {
      if (containers[i]?.State !== 'running') return [];
      if (u.busy) {
        u.cpu = Math.min(190, Math.max(0.5, u.cpu + (Math.random() - 0.5) * 8));
        u.memory = Math.max(8 * MiB, u.memory + Math.round((Math.random() - 0.5) * MiB));
        u.rx += Math.round(Math.random() * 200_000);
        u.tx += Math.round(Math.random() * 50_000);
      }
      return [
        {
          id: u.id,
          name: u.name,
          read,
          cpuPercent: u.cpu,
          memoryUsage: u.memory,
          memoryLimit: u.limit,
          memoryPercent: (u.memory / u.limit) * 100,
          networkRx: u.rx,
          networkTx: u.tx,
          blockRead: 0,
          blockWrite: 0,
          pids: 3,
        },
      ];
    });
  };

  // Limits per container, as `update` leaves them and `inspect` shows them.
  const hostConfigs = new Map<string, HostConfig>();
  const find = (ref: string) => {
    const name = ref.replace(/^\//, '');
    const container = containers.find(
      (c) => c.Id === ref || c.Names[0] === `/${name}` || (ref.length >= 12 && c.Id.startsWith(ref)),
    );
    if (!container) throw new StevedoreError('NOT_FOUND', `No such container: ${ref}`, { container: ref });
    return container;
  };
  const hostConfigOf = (id: string) => {
    let config = hostConfigs.get(id);
    if (!config) {
      config = HostConfigSchema.parse({});
      hostConfigs.set(id, config);
    }
    return config;
  };
  const inspect = (ref: string) => {
    const c = find(ref);
    const running = c.State === 'running';
    return ContainerInspectSchema.parse({
      Id: c.Id,
      Created: new Date(c.Created * 1000).toISOString(),
      Path: 'nginx',
      Args: [],
      State: {
        Status: c.State,
        Running: running,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: running ? 1000 : 0,
        ExitCode: 0,
        Error: '',
        StartedAt: c.StartedAt ?? '',
        FinishedAt: '',
      },
      Image: c.ImageID,
      ResolvConfPath: '',
      HostnamePath: '',
      HostsPath: '',
      LogPath: '',
      Name: c.Names[0],
      RestartCount: 0,
      Driver: 'overlay2',
      Platform: 'linux',
      HostConfig: hostConfigOf(c.Id),
      GraphDriver: { Name: 'overlay2', Data: {} },
      Mounts: [],
      Config: ContainerConfigSchema.parse({ Image: c.Image, Labels: c.Labels }),
      NetworkSettings: {
        SandboxKey: '',
        Ports: {},
        IPAddress: '',
        IPPrefixLen: 0,
        Gateway: '',
        MacAddress: '',
        Networks: {},
      },
    });
  };
  const limitsOf = (id: string, running: boolean): ContainerLimits => {
    const config = hostConfigOf(id);
    return {
      containerId: id,
      running,
      cgroupPath: null,
      configured: Object.fromEntries(
        LIMIT_FIELDS.map((field) => [field, (config[field] as number | string | null) ?? null]),
      ) as ContainerLimits['configured'],
      readings: [],
      capacity: {
        cpus: 8,
        cpuList: '0-7',
        memoryNodes: '0',
        memoryBytes: 32 * GiB,
        swapBytes: 0,
        swapAccounting: false,
        cgroupVersion: 2,
      },
      readAt: Date.now(),
    };
  };
  const update = async (ref: string, changes: ResourcesUpdate) => {
    const c = find(ref);
    const merged = { ...hostConfigOf(c.Id), ...changes };
    if (changes.NanoCpus) Object.assign(merged, { CpuPeriod: 0, CpuQuota: 0 });
    if (updateMs > 0) await new Promise((resolve) => setTimeout(resolve, updateMs));
    hostConfigs.set(c.Id, HostConfigSchema.parse(merged));
    // Newer agents also answer the limits read back; the older answer is just the warnings.
    return { Warnings: [], limits: limitsOf(c.Id, c.State === 'running') };
  };

  const registrySettings = new Map<string, RegistrySettings>();
  const fake = {
    stats: {
      async *subscribe(_ids: readonly string[], _stream: boolean, signal: AbortSignal) {
        while (!signal.aborted) {
          yield sample();
          await new Promise<void>((resolve) => {
            const onAbort = () => {
              clearTimeout(timer);
              resolve();
            };
            const timer = setTimeout(() => {
              signal.removeEventListener('abort', onAbort);
              resolve();
            }, 1000);
            signal.addEventListener('abort', onAbort, { once: true });
          });
        }
      },
    },
    system: {
      info: async () => info(),
      usage: async () => usage(),
      version: () => ({
        Version: '0.1.0',
        ApiVersion: '1.0',
        Os: 'linux' as const,
        Arch: 'x64',
        KernelVersion: '6.1.0-simulated',
        NodeVersion: process.version,
        GitCommit: 'simulated',
      }),
    },
    diskUsage: {
      report: async () => df,
      details: async () => {
        throw new Error('system.dfDetails is not simulated');
      },
    },
    containers: {
      list: (all: boolean) => (all ? containers : containers.filter((c) => c.State === 'running')),
      inspect,
      update,
      resolveIds: () => [],
      settled: async () => {},
    },
    images: { list: async () => images },
    // Registry settings (the mirrors benchmark): kept per host; a change answers after UPDATE_MS.
    registries: {
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
    },
    volumes: { list: async () => [] },
    networks: { list: () => [] },
    events: {
      async *stream(input: { since?: string | null }, signal: AbortSignal): AsyncGenerator<EngineEvent> {
        // `since` is "seconds.nanoseconds", inclusive: replay the kept events from there on.
        const [seconds = '0', nanos = '0'] = (input?.since ?? '').split('.');
        const from = input?.since ? BigInt(seconds) * 1_000_000_000n + BigInt(nanos.padEnd(9, '0')) : null;
        const queue: EngineEvent[] = from === null ? [] : history.filter((e) => BigInt(e.timeNano) >= from);
        let wake: (() => void) | null = null;
        const push = (event: EngineEvent) => {
          queue.push(event);
          wake?.();
        };
        const onAbort = () => wake?.();
        subscribers.add(push);
        signal.addEventListener('abort', onAbort);
        try {
          while (!signal.aborted) {
            const event = queue.shift();
            if (event) yield event;
            else
              await new Promise<void>((resolve) => {
                wake = resolve;
              });
            wake = null;
          }
        } finally {
          subscribers.delete(push);
          signal.removeEventListener('abort', onAbort);
        }
      },
    },
  };
  return {
    // Everything else (exec, config, tokens…) is left out: a call to it fails loudly.
    services: fake as unknown as AgentServices,
    close: () => {
      if (phase) clearTimeout(phase);
      if (tick) clearInterval(tick);
    },
  };
}

const log = createLogger('warn');
const servers: ApiServer[] = [];
const hosts: { close(): void }[] = [];
const sockets: string[] = [];
for (let i = 0; i < hostCount; i++) {
  const host = fakeHost(i);
  hosts.push(host);
  const socket = join(dir, `sim-${i + 1}.sock`);
  servers.push(
    await startApiServer({
      hosts: [`unix://${socket}`],
      tls: null,
      services: host.services,
      verifyToken: () => null,
      log: log.child({ host: i + 1 }),
    }),
  );
  sockets.push(socket);
}
process.stdout.write(`${JSON.stringify({ ready: true, sockets })}\n`);

const shutdown = async () => {
  for (const host of hosts) host.close();
  await Promise.all(servers.map((server) => server.close()));
  process.exit(0);
};
process.once('SIGTERM', shutdown);
// The benchmark holds our stdin open: when it ends, even by crashing, so do we.
process.stdin.on('close', shutdown).resume();
