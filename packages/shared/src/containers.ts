import { z } from 'zod';
import { EndpointRequestSchema, EndpointSettingsSchema, PortBindingsSchema } from './networks.js';

/**
 * Containers in Docker's API shapes (field names as in the Engine API), so `docker inspect` habits,
 * Go templates and Portainer-style forms carry over. The agent validates every create and update
 * against these schemas; limits that need the host (CPU count, cpusets) are checked by the agent.
 */

export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

export const ContainerNameSchema = z
  .string()
  .regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, {
    message: 'Invalid container name: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed (at most 128 characters)',
  })
  .transform((name) => name.replace(/^\//, ''));

/** A container name, full or short ID (12+ hex), as every container command accepts. */
export const ContainerRefSchema = z.string().min(1).max(200);

const SIGNAL_NAMES = [
  'HUP',
  'INT',
  'QUIT',
  'ILL',
  'TRAP',
  'ABRT',
  'BUS',
  'FPE',
  'KILL',
  'USR1',
  'SEGV',
  'USR2',
  'PIPE',
  'ALRM',
  'TERM',
  'STKFLT',
  'CHLD',
  'CONT',
  'STOP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'XCPU',
  'XFSZ',
  'VTALRM',
  'PROF',
  'WINCH',
  'IO',
  'PWR',
  'SYS',
] as const;

/** Signal numbers by name, Linux x86-64/arm64 numbering. */
export const SIGNALS: Readonly<Record<string, number>> = Object.fromEntries(
  SIGNAL_NAMES.map((name, index) => [name, index + 1]),
);

/** `TERM`, `SIGTERM`, `sigterm`, `15` or `RTMIN+3` → the canonical `SIGTERM` / number form. */
export function normalizeSignal(text: string): { name: string; number: number } {
  const upper = text.trim().toUpperCase();
  const numeric = /^\d+$/.test(upper) ? Number(upper) : null;
  if (numeric !== null) {
    if (numeric >= 1 && numeric <= 64) {
      const name = SIGNAL_NAMES[numeric - 1];
      return { name: name ? `SIG${name}` : String(numeric), number: numeric };
    }
  } else {
    const bare = upper.replace(/^SIG/, '');
    const number = SIGNALS[bare];
    if (number) return { name: `SIG${bare}`, number };
    const rt = /^RTMIN(?:\+(\d+))?$/.exec(bare);
    if (rt && Number(rt[1] ?? 0) <= 30) return { name: `SIG${bare}`, number: 34 + Number(rt[1] ?? 0) };
  }
  throw new RangeError(
    `invalid signal "${text}": use a name such as SIGTERM, TERM or KILL, or a number 1-64`,
  );
}

/** A signal name or number that normalizeSignal() takes. */
export const SignalSchema = z
  .string()
  .max(32)
  .superRefine((value, ctx) => {
    try {
      normalizeSignal(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

const EnvVarSchema = z.string().regex(/^[^=\0]+(=[^\0]*)?$/, {
  message: 'environment entries are KEY=VALUE (or KEY to take the value from the client), KEY not empty',
});

const AbsolutePath = z.string().regex(/^\/[^\0]*$/, { message: 'must be an absolute path' });

const HostnameSchema = z
  .string()
  .regex(/^$|^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/, {
    message: 'a hostname is letters, digits, - and dots, each label 1-63 characters',
  });

const CAPABILITIES = [
  'AUDIT_CONTROL',
  'AUDIT_READ',
  'AUDIT_WRITE',
  'BLOCK_SUSPEND',
  'BPF',
  'CHECKPOINT_RESTORE',
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'IPC_LOCK',
  'IPC_OWNER',
  'KILL',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'MKNOD',
  'NET_ADMIN',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_RAW',
  'PERFMON',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYSLOG',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_CHROOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'WAKE_ALARM',
] as const;
export const ALL_CAPABILITIES: readonly string[] = CAPABILITIES.map((cap) => `CAP_${cap}`);

/** `net_admin`, `CAP_NET_ADMIN` or `ALL` → `CAP_NET_ADMIN` / `ALL`. */
const CapabilitySchema = z
  .string()
  .transform((value) => {
    const upper = value.trim().toUpperCase();
    return upper === 'ALL' ? 'ALL' : `CAP_${upper.replace(/^CAP_/, '')}`;
  })
  .refine((cap) => cap === 'ALL' || ALL_CAPABILITIES.includes(cap), {
    message: 'unknown capability: use a Linux capability name such as NET_ADMIN, or ALL',
  });

export const RestartPolicySchema = z.object({
  Name: z.enum(['', 'no', 'always', 'unless-stopped', 'on-failure'], {
    message: 'restart policy must be no, always, unless-stopped or on-failure[:max-retries]',
  }),
  MaximumRetryCount: z.number().int().nonnegative().default(0),
});
export type RestartPolicy = z.infer<typeof RestartPolicySchema>;

/** `on-failure:3` → { Name: 'on-failure', MaximumRetryCount: 3 } (the `--restart` syntax). */
export function parseRestartPolicy(text: string): RestartPolicy {
  const [name = '', count, extra] = text.split(':');
  const retries = count === undefined ? 0 : Number(count);
  const valid = ['no', 'always', 'unless-stopped', 'on-failure'].includes(name);
  if (!valid || extra !== undefined || !Number.isInteger(retries) || retries < 0) {
    throw new RangeError(
      `invalid restart policy "${text}": use no, always, unless-stopped or on-failure[:max-retries]`,
    );
  }
  if (count !== undefined && name !== 'on-failure') {
    throw new RangeError(`invalid restart policy "${text}": only on-failure takes a maximum retry count`);
  }
  return RestartPolicySchema.parse({ Name: name, MaximumRetryCount: retries });
}

const ThrottleDeviceSchema = z.object({
  Path: AbsolutePath,
  Rate: z.number().int().nonnegative(),
});

const UlimitSchema = z
  .object({
    Name: z.enum(
      [
        'core',
        'cpu',
        'data',
        'fsize',
        'locks',
        'memlock',
        'msgqueue',
        'nice',
        'nofile',
        'nproc',
        'rss',
        'rtprio',
        'rttime',
        'sigpending',
        'stack',
      ],
      {
        message:
          'unknown ulimit: use one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack',
      },
    ),
    Soft: z.number().int().nonnegative(),
    Hard: z.number().int().nonnegative(),
  })
  .refine((u) => u.Soft <= u.Hard, { message: 'a ulimit soft value cannot be above its hard value' });

/** The limits `docker run` and `docker update` take, in bytes / nano-CPUs / shares. */
const ResourcesShape = {
  Memory: z.number().int().nonnegative().default(0),
  /** Memory + swap; -1 unlimited swap, 0 unset (twice Memory, like Docker). */
  MemorySwap: z.number().int().min(-1).default(0),
  MemoryReservation: z.number().int().nonnegative().default(0),
  OomKillDisable: z.boolean().default(false),
  NanoCpus: z.number().int().nonnegative().default(0),
  CpuShares: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 2 && v <= 262144), { message: 'CPU shares must be between 2 and 262144' })
    .default(0),
  CpuPeriod: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 1000 && v <= 1_000_000), {
      message: 'CPU period must be between 1000 and 1000000 microseconds (1 ms to 1 s)',
    })
    .default(0),
  CpuQuota: z
    .number()
    .int()
    .refine((v) => v <= 0 || v >= 1000, { message: 'CPU quota must be at least 1000 microseconds (1 ms)' })
    .default(0),
  CpusetCpus: z
    .string()
    .regex(/^$|^\d+(-\d+)?(,\d+(-\d+)?)*$/, { message: 'a cpuset is numbers and ranges such as 0-3,5' })
    .default(''),
  CpusetMems: z
    .string()
    .regex(/^$|^\d+(-\d+)?(,\d+(-\d+)?)*$/, { message: 'a cpuset is numbers and ranges such as 0-3,5' })
    .default(''),
  /** ≤ 0 or null: unlimited. */
  PidsLimit: z.number().int().nullable().default(null),
  BlkioWeight: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 10 && v <= 1000), { message: 'blkio weight must be between 10 and 1000' })
    .default(0),
  BlkioDeviceReadBps: z.array(ThrottleDeviceSchema).default([]),
  BlkioDeviceWriteBps: z.array(ThrottleDeviceSchema).default([]),
  Ulimits: z.array(UlimitSchema).default([]),
};

type ResourceFields = { [K in keyof typeof ResourcesShape]: z.output<(typeof ResourcesShape)[K]> };

/** Rules that tie limits together, with Docker's wording where Docker has one. */
function checkResourceCombination(r: Partial<ResourceFields>, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (r.Memory && r.Memory < MIN_MEMORY_BYTES) {
    issue('Memory', 'Minimum memory limit allowed is 6MB');
  }
  if (r.MemorySwap && r.MemorySwap > 0) {
    if (!r.Memory) issue('MemorySwap', 'You should always set the Memory limit when using Memoryswap limit');
    else if (r.MemorySwap < r.Memory)
      issue('MemorySwap', 'Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (r.MemoryReservation && r.Memory && r.MemoryReservation > r.Memory) {
    issue(
      'MemoryReservation',
      'Minimum memory limit can not be less than memory reservation limit, see usage',
    );
  }
  if (r.MemoryReservation && r.MemoryReservation < MIN_MEMORY_BYTES) {
    issue('MemoryReservation', 'Minimum memory reservation allowed is 6MB');
  }
  if (r.NanoCpus && (r.CpuQuota || r.CpuPeriod)) {
    issue('NanoCpus', 'Conflicting options: Nano CPUs cannot be set together with CPU period or quota');
  }
}

export const ResourcesSchema = z.object(ResourcesShape).superRefine(checkResourceCombination);
export type Resources = z.infer<typeof ResourcesSchema>;

/** `docker update`: only what is given changes. */
export const ResourcesUpdateSchema = z
  .object({
    Memory: ResourcesShape.Memory.removeDefault().optional(),
    MemorySwap: ResourcesShape.MemorySwap.removeDefault().optional(),
    MemoryReservation: ResourcesShape.MemoryReservation.removeDefault().optional(),
    NanoCpus: ResourcesShape.NanoCpus.removeDefault().optional(),
    CpuShares: ResourcesShape.CpuShares.removeDefault().optional(),
    CpuPeriod: ResourcesShape.CpuPeriod.removeDefault().optional(),
    CpuQuota: ResourcesShape.CpuQuota.removeDefault().optional(),
    CpusetCpus: ResourcesShape.CpusetCpus.removeDefault().optional(),
    CpusetMems: ResourcesShape.CpusetMems.removeDefault().optional(),
    PidsLimit: z.number().int().optional(),
    BlkioWeight: ResourcesShape.BlkioWeight.removeDefault().optional(),
    RestartPolicy: RestartPolicySchema.optional(),
  })
  .superRefine(checkResourceCombination);
export type ResourcesUpdate = z.infer<typeof ResourcesUpdateSchema>;

/** `-v` as Docker writes it: `/host:/ctr[:ro|rw]`, `volume:/ctr[:ro|rw]` or `/ctr` (anonymous volume). */
export const BindSchema = z.string().regex(/^([^:\0]+:)?\/[^:\0]*(:(ro|rw))?$/, {
  message:
    'a volume is [SOURCE:]DEST[:ro|rw] with DEST an absolute path, SOURCE a host path or volume name (none: a new anonymous volume)',
});

export const NetworkModeSchema = z
  .string()
  .regex(/^(none|host|bridge|default|container:.+|[a-zA-Z0-9][a-zA-Z0-9_.-]*)$/, {
    message: 'network mode is bridge, host, none, container:<name|id> or a network name',
  });

export const LogConfigSchema = z.object({
  Type: z.enum(['k8s-file', 'json-file', 'local', 'none'], {
    message: 'log driver must be k8s-file, json-file, local or none',
  }),
  Config: z
    .object({ 'max-size': z.string().optional(), 'max-file': z.string().optional() })
    .strict()
    .default({}),
});

export const HostConfigSchema = z
  .object({
    ...ResourcesShape,
    Binds: z.array(BindSchema).default([]),
    Tmpfs: z.record(AbsolutePath, z.string()).default({}),
    ReadonlyRootfs: z.boolean().default(false),
    CapAdd: z.array(CapabilitySchema).default([]),
    CapDrop: z.array(CapabilitySchema).default([]),
    Privileged: z.boolean().default(false),
    RestartPolicy: RestartPolicySchema.default({ Name: 'no', MaximumRetryCount: 0 }),
    AutoRemove: z.boolean().default(false),
    Init: z.boolean().default(false),
    SecurityOpt: z
      .array(
        z.string().regex(/^(no-new-privileges(:(true|false))?|seccomp[=:]unconfined)$/, {
          message: 'security options are no-new-privileges[:true|false] and seccomp=unconfined',
        }),
      )
      .default([]),
    NetworkMode: NetworkModeSchema.default('bridge'),
    PortBindings: PortBindingsSchema.default({}),
    /** `-P`: every exposed port gets a free host port. */
    PublishAllPorts: z.boolean().default(false),
    ShmSize: z
      .number()
      .int()
      .refine((v) => v === 0 || v >= 4096, { message: 'shm size must be at least 4 KiB' })
      .default(0),
    LogConfig: LogConfigSchema.default({ Type: 'k8s-file', Config: {} }),
  })
  .superRefine((h, ctx) => {
    checkResourceCombination(h, ctx);
    if (h.AutoRemove && h.RestartPolicy.Name !== '' && h.RestartPolicy.Name !== 'no') {
      ctx.addIssue({
        code: 'custom',
        path: ['AutoRemove'],
        message: 'Conflicting options: cannot specify both --restart and --rm',
      });
    }
  });
export type HostConfig = z.infer<typeof HostConfigSchema>;

export const ContainerConfigSchema = z.object({
  Image: z.string().min(1, { message: 'an image is required' }).max(300),
  Cmd: z.array(z.string()).nullable().default(null),
  Entrypoint: z.array(z.string()).nullable().default(null),
  Env: z.array(EnvVarSchema).default([]),
  WorkingDir: z.union([z.literal(''), AbsolutePath]).default(''),
  User: z
    .string()
    .regex(/^$|^[^:\s]+(:[^:\s]+)?$/, { message: 'user is name|uid[:group|gid]' })
    .default(''),
  Hostname: HostnameSchema.default(''),
  Domainname: z.string().default(''),
  Labels: z.record(z.string(), z.string()).default({}),
  Tty: z.boolean().default(false),
  OpenStdin: z.boolean().default(false),
  StopSignal: SignalSchema.optional(),
  /** Seconds to wait after the stop signal before SIGKILL; -1 waits forever. */
  StopTimeout: z.number().int().min(-1).optional(),
  ExposedPorts: z.record(z.string(), z.object({})).default({}),
  Volumes: z.record(z.string(), z.object({})).default({}),
});
export type ContainerConfig = z.infer<typeof ContainerConfigSchema>;

export const ContainerCreateSchema = z.object({
  name: ContainerNameSchema.optional(),
  Config: ContainerConfigSchema,
  HostConfig: HostConfigSchema.default(HostConfigSchema.parse({})),
  /** Per-network `--ip` and `--network-alias`, keyed by network name. */
  NetworkingConfig: z
    .object({ EndpointsConfig: z.record(z.string(), EndpointRequestSchema).default({}) })
    .default({ EndpointsConfig: {} }),
});
export type ContainerCreateInput = z.input<typeof ContainerCreateSchema>;
export type ContainerCreate = z.infer<typeof ContainerCreateSchema>;

export const ContainerStatusSchema = z.enum([
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
]);
export type ContainerStatus = z.infer<typeof ContainerStatusSchema>;

export const ContainerStateSchema = z.object({
  Status: ContainerStatusSchema,
  Running: z.boolean(),
  Paused: z.boolean(),
  Restarting: z.boolean(),
  OOMKilled: z.boolean(),
  Dead: z.boolean(),
  Pid: z.number().int().nonnegative(),
  ExitCode: z.number().int(),
  Error: z.string(),
  StartedAt: z.string(),
  FinishedAt: z.string(),
});
export type ContainerState = z.infer<typeof ContainerStateSchema>;

export const MountPointSchema = z.object({
  Type: z.enum(['bind', 'volume', 'tmpfs']),
  Name: z.string().optional(),
  Source: z.string(),
  Destination: z.string(),
  Mode: z.string(),
  RW: z.boolean(),
  Propagation: z.string(),
});
export type MountPoint = z.infer<typeof MountPointSchema>;

/** One row of `docker ps` (Engine API `GET /containers/json`). */
export const ContainerSummarySchema = z.object({
  Id: z.string(),
  Names: z.array(z.string()),
  Image: z.string(),
  ImageID: z.string(),
  Command: z.string(),
  /** Unix seconds. */
  Created: z.number().int(),
  State: ContainerStatusSchema,
  /** "Up 5 seconds", "Exited (0) 3 minutes ago", as Docker words it. */
  Status: z.string(),
  Labels: z.record(z.string(), z.string()),
  Ports: z.array(
    z.object({
      PrivatePort: z.number(),
      PublicPort: z.number().optional(),
      Type: z.string(),
      IP: z.string().optional(),
    }),
  ),
  Mounts: z.array(MountPointSchema),
});
export type ContainerSummary = z.infer<typeof ContainerSummarySchema>;

/** `docker container inspect`. */
export const ContainerInspectSchema = z.object({
  Id: z.string(),
  Created: z.string(),
  Path: z.string(),
  Args: z.array(z.string()),
  State: ContainerStateSchema,
  Image: z.string(),
  ResolvConfPath: z.string(),
  HostnamePath: z.string(),
  HostsPath: z.string(),
  LogPath: z.string(),
  Name: z.string(),
  RestartCount: z.number().int().nonnegative(),
  Driver: z.string(),
  Platform: z.string(),
  HostConfig: HostConfigSchema,
  GraphDriver: z.object({ Name: z.string(), Data: z.record(z.string(), z.string()) }),
  Mounts: z.array(MountPointSchema),
  Config: ContainerConfigSchema,
  NetworkSettings: z.object({
    SandboxKey: z.string(),
    Ports: z.record(z.string(), z.array(z.object({ HostIp: z.string(), HostPort: z.string() })).nullable()),
    IPAddress: z.string(),
    IPPrefixLen: z.number().int(),
    Gateway: z.string(),
    MacAddress: z.string(),
    Networks: z.record(z.string(), EndpointSettingsSchema),
  }),
});
export type ContainerInspect = z.infer<typeof ContainerInspectSchema>;

export const ContainerListInputSchema = z.object({
  all: z.boolean().default(false),
  /** Docker's `--filter` pairs, e.g. ["status=exited", "label=app=web", "name=db"]. */
  filters: z
    .array(
      z.string().regex(/^(id|name|label|status|ancestor|exited)=.+$/, {
        message: 'filters are id=, name=, label=KEY[=VALUE], status=, ancestor= or exited=',
      }),
    )
    .default([]),
});

/** One line of a container's log. */
export const LogLineSchema = z.object({
  stream: z.enum(['stdout', 'stderr']),
  /** RFC 3339 with nanoseconds, as conmon writes it. */
  time: z.string(),
  text: z.string(),
  /** The stream ended mid-line: print the text without a newline (`printf two` as the last output). */
  partial: z.boolean().optional(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

export const LogsInputSchema = z.object({
  container: ContainerRefSchema,
  follow: z.boolean().default(false),
  /** Number of lines from the end; null for all. */
  tail: z.number().int().nonnegative().nullable().default(null),
  /** RFC 3339 or Unix seconds, inclusive. */
  since: z.string().nullable().default(null),
  until: z.string().nullable().default(null),
});

export const WaitResultSchema = z.object({ StatusCode: z.number().int(), OOMKilled: z.boolean() });
export type WaitResult = z.infer<typeof WaitResultSchema>;

/** One sample of a container's resource use, computed as `docker stats` computes it. */
export const ContainerStatsSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** RFC 3339 time of the sample. */
  read: z.string(),
  /** Share of one CPU × 100 (200 = two full CPUs), Docker's CPU %. */
  cpuPercent: z.number().nonnegative(),
  /** Usage minus inactive file cache, as Docker shows it. */
  memoryUsage: z.number().int().nonnegative(),
  memoryLimit: z.number().int().nonnegative(),
  memoryPercent: z.number().nonnegative(),
  networkRx: z.number().int().nonnegative(),
  networkTx: z.number().int().nonnegative(),
  blockRead: z.number().int().nonnegative(),
  blockWrite: z.number().int().nonnegative(),
  pids: z.number().int().nonnegative(),
});
export type ContainerStats = z.infer<typeof ContainerStatsSchema>;

export const StatsInputSchema = z.object({
  /** Containers to sample; empty: every running container. */
  containers: z.array(ContainerRefSchema).default([]),
  /** false: one sample (`--no-stream`), then the stream ends. */
  stream: z.boolean().default(true),
});

/** `docker top`: the titles and rows of `ps` for the container's processes. */
export const TopResultSchema = z.object({
  Titles: z.array(z.string()),
  Processes: z.array(z.array(z.string())),
});
export type TopResult = z.infer<typeof TopResultSchema>;

export const ExecInputSchema = z.object({
  container: ContainerRefSchema,
  Cmd: z.array(z.string()).min(1, { message: 'exec needs a command' }),
  Env: z.array(EnvVarSchema).default([]),
  User: z
    .string()
    .regex(/^$|^[^:\s]+(:[^:\s]+)?$/, { message: 'user is name|uid[:group|gid]' })
    .default(''),
  WorkingDir: z.union([z.literal(''), AbsolutePath]).default(''),
  Tty: z.boolean().default(false),
  AttachStdin: z.boolean().default(false),
  Detach: z.boolean().default(false),
  Privileged: z.boolean().default(false),
  /** Initial terminal size for Tty. */
  Rows: z.number().int().min(1).max(1000).default(24),
  Cols: z.number().int().min(1).max(1000).default(80),
});
export type ExecInput = z.input<typeof ExecInputSchema>;
export type ExecRequest = z.output<typeof ExecInputSchema>;

/** What an exec session streams: its ID first, then output (base64, binary-safe), then the exit code. */
export type ExecEvent =
  | { type: 'started'; execId: string }
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; exitCode: number };

export const ExecWriteSchema = z.object({
  execId: z.string().regex(/^[a-f0-9]{64}$/),
  /** base64 bytes for the process's stdin. */
  data: z.string().max(1_000_000).default(''),
  /** Close stdin after writing. */
  eof: z.boolean().default(false),
});

export const ExecResizeSchema = z.object({
  execId: z.string().regex(/^[a-f0-9]{64}$/),
  rows: z.number().int().min(1).max(1000),
  cols: z.number().int().min(1).max(1000),
});

/** An interactive attachment's stream: its ID, raw output (base64), then the exit status. */
export type AttachEvent =
  | { type: 'attached'; attachId: string }
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string }
  /** Output left out because the client read more slowly than the container wrote. */
  | { type: 'dropped'; bytes: number }
  | { type: 'exit'; result: WaitResult };

export const AttachInputSchema = z.object({
  container: ContainerRefSchema,
  /** Start the container once attached (`run -it`, `start -ai`). */
  start: z.boolean().default(false),
  rows: z.number().int().min(1).max(1000).default(24),
  cols: z.number().int().min(1).max(1000).default(80),
});

export const AttachWriteSchema = z.object({
  attachId: z.string().regex(/^[a-f0-9]{64}$/),
  data: z.string().max(1_000_000).default(''),
  eof: z.boolean().default(false),
});

export const AttachResizeSchema = z.object({
  attachId: z.string().regex(/^[a-f0-9]{64}$/),
  rows: z.number().int().min(1).max(1000),
  cols: z.number().int().min(1).max(1000),
});
