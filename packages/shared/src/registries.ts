import { z } from 'zod';
import { RegistryEndpointCheckSchema, RegistryHostSchema } from './image-manifest.js';

/** Docker Hub's name in registry settings (its mirrors live in daemon.json's `registry-mirrors`). */
export const DOCKER_HUB_REGISTRY = 'docker.io';

/** A mirror's (or a registry's) base URL: http(s)://host[:port], an optional path prefix, no `/v2`. */
export const MirrorUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, {
    message: 'must be an http:// or https:// URL such as https://mirror.example:5000',
  })
  .transform((url) => url.replace(/\/+$/, '').replace(/\/v2$/, ''));

/** PEM certificates (one or more), as written to a CA file. */
export const CaPemSchema = z
  .string()
  .max(256 * 1024, { message: 'a CA bundle of at most 256 KiB' })
  .refine((text) => /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text), {
    message: 'must be PEM certificates (-----BEGIN CERTIFICATE----- …)',
  });

export const RegistryMirrorSchema = z.object({
  url: MirrorUrlSchema,
  /** Extra CA certificates (PEM) trusted for this mirror, beside the system's. */
  ca: CaPemSchema.nullable().default(null),
  /** TLS without certificate verification (hosts.toml's `skip_verify`). */
  skipVerify: z.boolean().default(false),
});
export type RegistryMirror = z.infer<typeof RegistryMirrorSchema>;

/** Registry settings as they are written: one registry's mirrors, insecure flag and CA. */
export const RegistrySettingsInputSchema = z.object({
  /** host[:port], or docker.io for Docker Hub. */
  registry: RegistryHostSchema,
  /** Tried in order before the registry itself. */
  mirrors: z.array(RegistryMirrorSchema).max(16, { message: 'at most 16 mirrors per registry' }),
  /** Listed in daemon.json's `insecure-registries`: plain HTTP (loopback always is). */
  insecure: z.boolean(),
  /** The registry's own CA certificates (certs.d/<registry>/ca.crt), or none. */
  ca: CaPemSchema.nullable(),
  /** TLS to the registry itself without verification (hosts.toml's top-level `skip_verify`). */
  skipVerify: z.boolean().default(false),
});
export type RegistrySettingsInput = z.input<typeof RegistrySettingsInputSchema>;
export type RegistrySettingsValue = z.output<typeof RegistrySettingsInputSchema>;

export const RegistryMirrorViewSchema = z.object({
  url: z.string(),
  ca: z.string().nullable(),
  skipVerify: z.boolean(),
  /** Where it is configured: daemon.json `registry-mirrors` (Docker Hub only) or hosts.toml. */
  source: z.enum(['daemon.json', 'hosts.toml']),
});

/** One registry as the host is configured for it. */
export const RegistrySettingsSchema = z.object({
  registry: z.string(),
  mirrors: z.array(RegistryMirrorViewSchema),
  insecure: z.boolean(),
  /** Why pulls use plain HTTP: listed by name, inside a listed CIDR, loopback; null for HTTPS. */
  insecureReason: z.enum(['listed', 'cidr', 'loopback']).nullable(),
  ca: z.string().nullable(),
  skipVerify: z.boolean(),
  /** hosts.toml's `server` (the registry elsewhere than https://<registry>), kept as found. */
  server: z.string().nullable(),
  /** The directory of its hosts.toml and CA files. */
  directory: z.string().nullable(),
});
export type RegistrySettings = z.infer<typeof RegistrySettingsSchema>;

export const RegistrySettingsListSchema = z.object({
  certsDir: z.string(),
  configFile: z.string(),
  /** Docker Hub first, then by name; daemon.json keys set by an agent flag cannot be changed live. */
  registries: z.array(RegistrySettingsSchema),
  flagKeys: z.array(z.string()),
  /** A hosts.toml that could not be read, per registry, so one bad file does not hide the rest. */
  problems: z.array(z.object({ registry: z.string(), error: z.string() })),
});
export type RegistrySettingsList = z.infer<typeof RegistrySettingsListSchema>;

/** One probe of a mirror: GET /v2/ with a short timeout. */
export const MirrorProbeSchema = z.object({
  at: z.number().int(),
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  status: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type MirrorProbe = z.infer<typeof MirrorProbeSchema>;

export const MirrorHealthSchema = z.object({
  registry: z.string(),
  url: z.string(),
  /** Oldest first. */
  probes: z.array(MirrorProbeSchema),
});
export type MirrorHealth = z.infer<typeof MirrorHealthSchema>;

export const MirrorHealthReportSchema = z.object({
  intervalMs: z.number().int(),
  mirrors: z.array(MirrorHealthSchema),
  /** A probe of one registry: each endpoint a pull from it would try, in order (mirrors first). */
  endpoints: z.array(RegistryEndpointCheckSchema).optional(),
});
export type MirrorHealthReport = z.infer<typeof MirrorHealthReportSchema>;

/** `registries.probe`: every mirror (no input), or one registry's mirrors and, with `upstream`, itself. */
export const RegistriesProbeInputSchema = z
  .object({ registry: RegistryHostSchema, upstream: z.boolean().default(false) })
  .optional();

/** A recent pull and the endpoints that served it (the manifest's first). */
export const PullRecordSchema = z.object({
  reference: z.string(),
  registry: z.string(),
  /** Where the manifest came from; null when the pull failed before any endpoint answered. */
  endpoint: z.string().nullable(),
  mirror: z.boolean(),
  /** Every endpoint that served part of it (manifest, config, layers), first use first. */
  endpoints: z.array(z.string()),
  startedAt: z.number().int(),
  finishedAt: z.number().int(),
  ok: z.boolean(),
  error: z.string().nullable(),
});
export type PullRecord = z.infer<typeof PullRecordSchema>;

// ---- The dashboard: one host's settings, and one change rolled out across hosts. ----

export const HostRegistryInput = z.object({ hostId: z.string().min(1).max(64) });
export const HostRegistrySetInput = HostRegistryInput.extend({ settings: RegistrySettingsInputSchema });
/** `registries.probe` on the web: the host's mirrors, or one registry's endpoints (and itself with `upstream`). */
export const HostRegistryProbeInput = HostRegistryInput.extend({
  registry: RegistryHostSchema.optional(),
  upstream: z.boolean().default(false),
});
export type HostRegistryProbeInput = z.infer<typeof HostRegistryProbeInput>;
export const HostRecentPullsInput = HostRegistryInput.extend({
  limit: z.number().int().min(1).max(50).default(20),
});

/**
 * One setting for many hosts: the fields given replace the host's value for that registry, the
 * fields left out keep each host's own (e.g. only `mirrors`: "the mirror for docker.io is URL").
 */
export const RegistryChangeSchema = z
  .object({
    registry: RegistryHostSchema,
    mirrors: z.array(RegistryMirrorSchema).max(16).optional(),
    insecure: z.boolean().optional(),
    ca: CaPemSchema.nullable().optional(),
  })
  .refine((c) => c.mirrors !== undefined || c.insecure !== undefined || c.ca !== undefined, {
    message: 'choose at least one setting to change (mirrors, insecure or CA)',
  });
export type RegistryChange = z.infer<typeof RegistryChangeSchema>;

export const RegistryTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hosts'), hostIds: z.array(z.string().min(1).max(64)).min(1).max(500) }),
  z.object({ kind: z.literal('labels'), selector: z.string().trim().min(1).max(1024) }),
]);
export type RegistryTarget = z.infer<typeof RegistryTargetSchema>;

export const RegistryRolloutInput = z.object({
  target: RegistryTargetSchema,
  change: RegistryChangeSchema,
  /** Re-apply the previous settings of the hosts already changed when one host fails. */
  rollbackOnFailure: z.boolean().default(true),
});
export type RegistryRolloutInputValue = z.infer<typeof RegistryRolloutInput>;
export const RegistryPreviewInput = RegistryRolloutInput.omit({ rollbackOnFailure: true });

/** Settings compared before → after: CA files by fingerprint, never their PEM. */
export const RegistrySettingsDigestSchema = z.object({
  mirrors: z.array(z.string()),
  insecure: z.boolean(),
  ca: z.string().nullable(),
});
export type RegistrySettingsDigest = z.infer<typeof RegistrySettingsDigestSchema>;

export const RegistryHostPlanSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  before: RegistrySettingsDigestSchema.nullable(),
  after: RegistrySettingsDigestSchema.nullable(),
  changed: z.boolean(),
  /** Why the host cannot take part (offline, unreadable settings). */
  error: z.string().nullable(),
});
export type RegistryHostPlan = z.infer<typeof RegistryHostPlanSchema>;

export const RegistryHostOutcomeSchema = RegistryHostPlanSchema.extend({
  result: z.enum(['applied', 'unchanged', 'failed', 'skipped', 'rolled-back', 'rollback-failed']),
  durationMs: z.number().nullable(),
});
export type RegistryHostOutcome = z.infer<typeof RegistryHostOutcomeSchema>;

export const RegistryRolloutReportSchema = z.object({
  registry: z.string(),
  ok: z.boolean(),
  rolledBack: z.boolean(),
  durationMs: z.number(),
  hosts: z.array(RegistryHostOutcomeSchema),
});
export type RegistryRolloutReport = z.infer<typeof RegistryRolloutReportSchema>;
