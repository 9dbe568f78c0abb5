import { z } from 'zod';
import { EndpointSettingsSchema } from '../networks.js';
import { ContainerConfigSchema, HostConfigSchema } from './create.js';
import { HEALTH_FILTER_VALUES, HealthStateSchema } from './health.js';

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
  /** Only for a container with a healthcheck: its probes' status, failures in a row and last results. */
  Health: HealthStateSchema.optional(),
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
  /** Stevedore's addition: RFC 3339 time of the last start (for uptime); absent from older agents. */
  StartedAt: z.string().optional(),
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
  /** The create request's HostConfig plus what Docker shows beside it (inspect only; absent from older agents). */
  HostConfig: z.intersection(
    HostConfigSchema,
    z.object({
      Links: z.array(z.string()).nullable().optional(),
      OomScoreAdj: z.number().int().optional(),
      MaskedPaths: z.array(z.string()).nullable().optional(),
      ReadonlyPaths: z.array(z.string()).nullable().optional(),
    }),
  ),
  GraphDriver: z.object({ Name: z.string(), Data: z.record(z.string(), z.string()) }),
  Mounts: z.array(MountPointSchema),
  Config: ContainerConfigSchema,
  NetworkSettings: z.object({
    /** Bridge, SandboxID and EndpointID: absent from older agents. */
    Bridge: z.string().optional(),
    SandboxID: z.string().optional(),
    SandboxKey: z.string(),
    EndpointID: z.string().optional(),
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
      z
        .string()
        .regex(/^(id|name|label|status|ancestor|exited|health)=.+$/, {
          message: 'filters are id=, name=, label=KEY[=VALUE], status=, ancestor=, exited= or health=',
        })
        .superRefine((filter, ctx) => {
          const value = filter.slice('health='.length);
          if (filter.startsWith('health=') && !(HEALTH_FILTER_VALUES as readonly string[]).includes(value)) {
            ctx.addIssue({ code: 'custom', message: `Unrecognised filter value for health: ${value}` });
          }
        }),
    )
    .default([]),
});

export const WaitResultSchema = z.object({ StatusCode: z.number().int(), OOMKilled: z.boolean() });
export type WaitResult = z.infer<typeof WaitResultSchema>;
