import { z } from 'zod';

/** What `docker info` shows, in Docker's field names where Docker has them. */
export const SystemInfoSchema = z.object({
  ID: z.string(),
  Name: z.string().describe('host name'),
  ServerVersion: z.string(),
  OperatingSystem: z.string(),
  OSType: z.literal('linux'),
  KernelVersion: z.string(),
  Architecture: z.string(),
  NCPU: z.number().int().positive(),
  MemTotal: z.number().int().nonnegative(),
  DockerRootDir: z.string().describe('data-root'),
  ExecRoot: z.string(),
  Driver: z.string().describe('storage driver'),
  DriverStatus: z.array(z.tuple([z.string(), z.string()])),
  CgroupVersion: z.enum(['1', '2']),
  CgroupDriver: z.enum(['cgroupfs', 'systemd']),
  DefaultRuntime: z.string(),
  /** The log driver a container gets when it names none (absent from older agents). */
  LoggingDriver: z.string().optional(),
  /** Docker's `name=seccomp,profile=default`, `name=userns`, `name=cgroupns` (absent from older agents). */
  SecurityOptions: z.array(z.string()).optional(),
  /** PRETTY_NAME's version (VERSION_ID of os-release); absent from older agents, as the keys below. */
  OSVersion: z.string().optional(),
  /** The limits the kernel's cgroups can enforce (read from the cgroup files). */
  MemoryLimit: z.boolean().optional(),
  SwapLimit: z.boolean().optional(),
  KernelMemory: z.boolean().optional(),
  KernelMemoryTCP: z.boolean().optional(),
  CpuCfsPeriod: z.boolean().optional(),
  CpuCfsQuota: z.boolean().optional(),
  CPUShares: z.boolean().optional(),
  CPUSet: z.boolean().optional(),
  PidsLimit: z.boolean().optional(),
  OomKillDisable: z.boolean().optional(),
  IPv4Forwarding: z.boolean().optional(),
  BridgeNfIptables: z.boolean().optional(),
  BridgeNfIp6tables: z.boolean().optional(),
  /** The agent's HTTP(S)_PROXY and NO_PROXY (pulls and pushes go through them); "" when unset. */
  HttpProxy: z.string().optional(),
  HttpsProxy: z.string().optional(),
  NoProxy: z.string().optional(),
  /** Engine labels (Stevedore has none configured today: always empty). */
  Labels: z.array(z.string()).optional(),
  /** The pools user networks' subnets come from: daemon.json's, else the built-in ones. */
  DefaultAddressPools: z.array(z.object({ Base: z.string(), Size: z.number().int() })).optional(),
  /** Docker's default registry for unqualified names. */
  IndexServerAddress: z.string().optional(),
  Runtimes: z.record(z.string(), z.object({ path: z.string(), version: z.string() })),
  Containers: z.number().int().nonnegative(),
  ContainersRunning: z.number().int().nonnegative(),
  ContainersPaused: z.number().int().nonnegative(),
  ContainersStopped: z.number().int().nonnegative(),
  Images: z.number().int().nonnegative(),
  RegistryConfig: z.object({
    Mirrors: z.array(z.string()),
    InsecureRegistryCIDRs: z.array(z.string()),
    InsecureRegistries: z.array(z.string()),
    /** Per registry host: its mirrors and whether it is reached over verified TLS (absent from older agents). */
    IndexConfigs: z
      .record(
        z.string(),
        z.object({
          Name: z.string(),
          Mirrors: z.array(z.string()),
          Secure: z.boolean(),
          Official: z.boolean(),
        }),
      )
      .optional(),
    /** Docker's non-distributable layers are pushed nowhere by Stevedore: always empty. */
    AllowNondistributableArtifactsCIDRs: z.array(z.string()).optional(),
    AllowNondistributableArtifactsHostnames: z.array(z.string()).optional(),
  }),
  LiveRestoreEnabled: z.boolean(),
  IPTables: z.boolean(),
  SystemTime: z.string().describe('RFC 3339'),
  Warnings: z.array(z.string()),
});
export type SystemInfo = z.infer<typeof SystemInfoSchema>;

export const VersionSchema = z.object({
  Version: z.string(),
  ApiVersion: z.string(),
  Os: z.literal('linux'),
  Arch: z.string(),
  KernelVersion: z.string(),
  NodeVersion: z.string(),
  GitCommit: z.string(),
  /** Docker's product line and its parts (absent from older agents). */
  Platform: z.object({ Name: z.string() }).optional(),
  Components: z
    .array(z.object({ Name: z.string(), Version: z.string(), Details: z.record(z.string(), z.string()) }))
    .optional(),
});
export type Version = z.infer<typeof VersionSchema>;

/** Live resource use of the whole host, for the fleet overview. */
export const HostUsageSchema = z.object({
  /** Busy share of all CPUs since the previous sample, 0-100. */
  cpuPercent: z.number().min(0).max(100),
  ncpu: z.number().int().positive(),
  loadAverage: z.tuple([z.number(), z.number(), z.number()]),
  memTotal: z.number().int().nonnegative(),
  /** Total minus MemAvailable (what the kernel could not hand out without swapping). */
  memUsed: z.number().int().nonnegative(),
  /** The data-root's filesystem. */
  diskTotal: z.number().int().nonnegative(),
  diskUsed: z.number().int().nonnegative(),
  sampledAt: z.string(),
});
export type HostUsage = z.infer<typeof HostUsageSchema>;

/** `system.migrateDataRoot`: move the data-root to `target` (an absolute path, empty or missing). */
export const MigrateDataRootSchema = z.object({
  target: z.string().refine((path) => path.startsWith('/') && !path.split('/').includes('..'), {
    message: 'the target must be an absolute path without ".."',
  }),
  /** Stop running containers for the copy and start them again after; otherwise refuse while any run. */
  stopContainers: z.boolean().default(false),
  /** Who asked (a dashboard user's name), kept with the migration's state and outcome. */
  startedBy: z.string().min(1).max(200).optional(),
});
export type MigrateDataRoot = z.infer<typeof MigrateDataRootSchema>;

export const MIGRATION_PHASES = [
  'checking',
  'stopping',
  'copying',
  'verifying',
  'switching',
  'restarting',
] as const;

export const MigrationProgressSchema = z.object({
  phase: z.enum(MIGRATION_PHASES),
  message: z.string(),
  bytes: z.number().optional(),
  totalBytes: z.number().optional(),
  files: z.number().optional(),
});
export type MigrationProgress = z.infer<typeof MigrationProgressSchema>;

/** A migration the agent is running (`system.migration`, `system.followMigration`). */
export const MigrationStateSchema = z.object({
  source: z.string(),
  target: z.string(),
  stopContainers: z.boolean(),
  startedBy: z.string().nullable(),
  /** RFC 3339. */
  startedAt: z.string(),
  /** cancelling: asked to stop; the agent kills the copy and removes it. */
  status: z.enum(['running', 'cancelling']),
  phase: z.enum(MIGRATION_PHASES),
  phasesSeen: z.array(z.enum(MIGRATION_PHASES)),
  message: z.string(),
  bytes: z.number().nullable(),
  totalBytes: z.number().nullable(),
  files: z.number().nullable(),
});
export type MigrationState = z.infer<typeof MigrationStateSchema>;
