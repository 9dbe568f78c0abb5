import { z } from 'zod';
import { EndpointRequestSchema, PortBindingsSchema } from '../networks.js';
import { CapabilitySchema } from './capabilities.js';
import { AbsolutePath, EnvVarSchema, HostnameSchema } from './fields.js';
import { HealthConfigSchema } from './health.js';
import { ContainerNameSchema } from './names.js';
import { checkResourceCombination, ResourcesShape } from './resources.js';
import { RestartPolicySchema } from './restart-policy.js';
import {
  BIND_MODE_OPTIONS,
  DeviceMappingSchema,
  DnsOptionSchema,
  DnsSearchSchema,
  DnsServerSchema,
  ExtraHostSchema,
  GroupAddSchema,
  IpcModeSchema,
  MountSchema,
  PidModeSchema,
  SysctlsSchema,
  UtsModeSchema,
  VolumesFromSchema,
} from './run-options.js';
import { SignalSchema } from './signals.js';

/**
 * `-v` as Docker writes it: `/host:/ctr[:OPTIONS]`, `volume:/ctr[:OPTIONS]` or `/ctr` (anonymous
 * volume); OPTIONS a comma list of ro|rw, z|Z, nocopy and a propagation mode.
 */
export const BindSchema = z
  .string()
  .regex(
    new RegExp(
      `^([^:\\0]+:)?/[^:\\0]*(:(${BIND_MODE_OPTIONS.join('|')})(,(${BIND_MODE_OPTIONS.join('|')}))*)?$`,
    ),
    {
      message:
        'a volume is [SOURCE:]DEST[:OPTIONS] with DEST an absolute path, SOURCE a host path or volume name (none: a new anonymous volume), OPTIONS ro|rw, z|Z, nocopy or a propagation mode',
    },
  );

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
    /** `--mount`: Docker's structured mounts, beside `-v`'s Binds. */
    Mounts: z.array(MountSchema).default([]),
    VolumesFrom: z.array(VolumesFromSchema).default([]),
    Dns: z.array(DnsServerSchema).default([]),
    DnsOptions: z.array(DnsOptionSchema).default([]),
    DnsSearch: z.array(DnsSearchSchema).default([]),
    ExtraHosts: z.array(ExtraHostSchema).default([]),
    Devices: z.array(DeviceMappingSchema).default([]),
    Sysctls: SysctlsSchema.default({}),
    GroupAdd: z.array(GroupAddSchema).default([]),
    PidMode: PidModeSchema.default(''),
    IpcMode: IpcModeSchema.default('private'),
    UTSMode: UtsModeSchema.default(''),
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
    if (h.NetworkMode === 'host' && Object.keys(h.Sysctls).some((key) => key.startsWith('net.'))) {
      ctx.addIssue({
        code: 'custom',
        path: ['Sysctls'],
        message: 'net.* sysctls are not allowed with --network host: they would change the host',
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
  /** `--health-*` / the image's HEALTHCHECK (durations in nanoseconds, as Docker's API). */
  Healthcheck: HealthConfigSchema.optional(),
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
