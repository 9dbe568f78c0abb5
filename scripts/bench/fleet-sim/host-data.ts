/** One simulated host's static picture: its images, containers, engine facts, usage and disk usage. */
import { randomBytes } from 'node:crypto';
import {
  type ContainerSummary,
  ContainerSummarySchema,
  type DiskUsageRow,
  DiskUsageRowSchema,
  type HostUsage,
  HostUsageSchema,
  type ImageSummary,
  ImageSummarySchema,
  type SystemInfo,
  SystemInfoSchema,
} from '@stevedore/shared';

const IMAGES = 40;
export const GiB = 1024 ** 3;

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** How the dashboard names simulated host `index` (from 0): sim-01 … sim-500. */
export const simulatedHostName = (index: number) => `sim-${String(index + 1).padStart(2, '0')}`;

export interface HostData {
  name: string;
  images: ImageSummary[];
  containers: ContainerSummary[];
  /** The first `running` containers start running; the rest exited. */
  running: number;
  info(): SystemInfo;
  usage(): HostUsage;
  df: DiskUsageRow[];
}

export function hostData(index: number, containerCount: number): HostData {
  const name = simulatedHostName(index);
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
  return { name, images, containers, running, info, usage, df };
}
