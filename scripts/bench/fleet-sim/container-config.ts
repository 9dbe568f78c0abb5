/**
 * Per-container limits for the presets benchmark: `containers.inspect` shows each container's
 * HostConfig as `containers.update` left it; an update answers after `updateMs`.
 */
import {
  ContainerConfigSchema,
  ContainerInspectSchema,
  type ContainerLimits,
  type ContainerSummary,
  type HostConfig,
  HostConfigSchema,
  LIMIT_FIELDS,
  type ResourcesUpdate,
  StevedoreError,
} from '@stevedore/shared';
import { GiB } from './host-data';

export function containerConfig(containers: ContainerSummary[], updateMs: number) {
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
  return { inspect, update };
}
