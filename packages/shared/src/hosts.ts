import { z } from 'zod';
import { HostUsageSchema } from './system.js';

export const HostNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, {
    message: 'must be 1-63 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
  });

/** How the control plane reaches an agent. */
export const HostTransportSchema = z.enum(['unix', 'tls', 'ssh']);
export type HostTransport = z.infer<typeof HostTransportSchema>;

export const DEFAULT_AGENT_SOCKET = '/run/stevedore/agent.sock';

const absoluteSocketPath = z.string().refine((p) => p.startsWith('/') && !p.includes('\0'), {
  message: 'must be an absolute path such as /run/stevedore/agent.sock',
});

/** SSH: the hub tunnels to the agent's unix socket, so the agent exposes no network port. */
export const SshHostInput = z
  .object({
    transport: z.literal('ssh'),
    sshHost: z
      .string()
      .trim()
      .regex(/^[a-zA-Z0-9.:-]{1,253}$/, { message: 'must be a host name or IP address' }),
    sshPort: z.number().int().min(1).max(65535).default(22),
    sshUser: z
      .string()
      .trim()
      .regex(/^[a-z_][a-z0-9_.-]{0,31}$/, { message: 'must be a Unix user name such as root or deploy' }),
    privateKey: z
      .string()
      .trim()
      .refine((key) => key === '' || /^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key), {
        message: 'must be a PEM/OpenSSH private key (-----BEGIN … PRIVATE KEY-----)',
      })
      .optional(),
    password: z.string().max(1024).optional(),
    socketPath: absoluteSocketPath.default(DEFAULT_AGENT_SOCKET),
    /** SHA256:… as `ssh-keygen -lf` prints it; when absent the key seen first is pinned. */
    hostKeyFingerprint: z
      .string()
      .trim()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, {
        message: 'must look like SHA256:… (ssh-keygen -lf prints it)',
      })
      .optional(),
  })
  .refine((input) => Boolean(input.privateKey) || Boolean(input.password), {
    message: 'give a private key or a password',
    path: ['privateKey'],
  });
export type SshHostInput = z.infer<typeof SshHostInput>;

export const UnixHostInput = z.object({
  transport: z.literal('unix'),
  socketPath: z.string().refine((p) => p.startsWith('/'), { message: 'must be an absolute path' }),
});

export const TlsHostInput = z.object({
  transport: z.literal('tls'),
  url: z
    .url({ protocol: /^https?$/, message: 'must be an https:// URL such as https://10.0.0.5:2376' })
    .refine((url) => url.startsWith('https:') || !URL.canParse(url) || isLoopbackUrl(url), {
      message: 'must use https:// (plain http:// is allowed only on 127.0.0.1 / localhost)',
    }),
  token: z.string().trim().min(16, { message: 'must be the agent token (at least 16 characters)' }),
  caCert: z
    .string()
    .trim()
    .refine((pem) => pem === '' || pem.startsWith('-----BEGIN CERTIFICATE-----'), {
      message: 'must be a PEM certificate (-----BEGIN CERTIFICATE-----…) or empty',
    })
    .optional(),
});

/** How to reach a host's agent, without its name: what "edit connection" replaces. */
export const HostConnectionInput = z.discriminatedUnion('transport', [
  UnixHostInput,
  TlsHostInput,
  SshHostInput,
]);
export type HostConnectionInput = z.infer<typeof HostConnectionInput>;

const LABEL_KEY = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/i;

/** Host labels (`env=prod`, `region=eu`) to group and filter the fleet. */
export const HostLabelsSchema = z
  .record(
    z.string().regex(LABEL_KEY, {
      message:
        'label keys are 1-63 letters, digits, ".", "_", "/" or "-", starting and ending with a letter or digit',
    }),
    z.string().max(63, { message: 'label values are at most 63 characters' }),
  )
  .refine((labels) => Object.keys(labels).length <= 32, { message: 'at most 32 labels per host' });
export type HostLabels = z.infer<typeof HostLabelsSchema>;

/**
 * Parses `env=prod, region=eu` (commas or new lines between labels; a bare key means an empty value)
 * into labels, or says which entry is wrong.
 */
export function parseHostLabels(text: string): { labels: HostLabels } | { error: string } {
  const labels: HostLabels = {};
  for (const entry of text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const key = (at < 0 ? entry : entry.slice(0, at)).trim();
    const value = at < 0 ? '' : entry.slice(at + 1).trim();
    labels[key] = value;
  }
  const parsed = HostLabelsSchema.safeParse(labels);
  if (parsed.success) return { labels: parsed.data };
  const issue = parsed.error.issues[0];
  const key = issue?.path[0];
  return {
    error: `${key !== undefined ? `label "${String(key)}": ` : ''}${issue?.message ?? 'invalid labels'}`,
  };
}

export const formatHostLabels = (labels: HostLabels): string =>
  Object.entries(labels)
    .map(([key, value]) => (value ? `${key}=${value}` : key))
    .join(', ');

export const CreateHostInput = z
  .object({ name: HostNameSchema, labels: HostLabelsSchema.default({}) })
  .and(HostConnectionInput);
export type CreateHostInput = z.infer<typeof CreateHostInput>;

/** Edit a host: rename, relabel, and/or re-point it (the new connection is tested before it is saved). */
export const UpdateHostInput = z.object({
  hostId: z.string().min(1).max(64),
  name: HostNameSchema.optional(),
  labels: HostLabelsSchema.optional(),
  connection: HostConnectionInput.optional(),
});
export type UpdateHostInput = z.infer<typeof UpdateHostInput>;

/** False for anything that is not a URL: zod runs this refinement even after its URL check failed. */
function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const HostIdInput = z.object({ hostId: z.string().min(1).max(64) });

export const SshHostKeyFingerprintSchema = z
  .string()
  .trim()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, { message: 'must look like SHA256:… (ssh-keygen -lf prints it)' });

/** An admin accepts the SSH host key a host presents now (after it changed). */
export const AcceptHostKeyInput = z.object({
  hostId: z.string().min(1).max(64),
  fingerprint: SshHostKeyFingerprintSchema,
});
export type AcceptHostKeyInput = z.infer<typeof AcceptHostKeyInput>;

export const HostConnectionStateSchema = z.enum(['connecting', 'online', 'degraded', 'offline']);
export type HostConnectionState = z.infer<typeof HostConnectionStateSchema>;

/** Whether a host answers calls: online, or degraded (connected, but slow to answer pings). */
export const isConnected = (state: HostConnectionState) => state === 'online' || state === 'degraded';

export const HostStatusSchema = z.object({
  hostId: z.string(),
  state: HostConnectionStateSchema,
  lastError: z.string().nullable(),
  lastSeen: z.string().nullable(),
});
export type HostStatus = z.infer<typeof HostStatusSchema>;

export const HostSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  transport: HostTransportSchema,
  address: z.string(),
  labels: HostLabelsSchema,
  /** SSH hosts: the pinned host key fingerprint (SHA256:…); null for other transports or none yet. */
  sshHostKey: z.string().nullable(),
  status: HostStatusSchema,
});
export type HostSummary = z.infer<typeof HostSummarySchema>;

/** One row of the fleet overview: connection state plus what the agent reports when it is reachable. */
export const FleetHostSchema = HostSummarySchema.extend({
  agent: z
    .object({
      version: z.string(),
      runtime: z.string(),
      cgroupVersion: z.string(),
      containersRunning: z.number().int(),
      containersStopped: z.number().int(),
      images: z.number().int(),
      /** Bytes of the image store, shared layers counted once (`system df`). */
      imagesSize: z.number().int().nonnegative(),
    })
    .nullable(),
  usage: HostUsageSchema.nullable(),
  /** Why agent/usage are missing although the host is connected, e.g. a timed-out call. */
  error: z.string().nullable(),
});
export type FleetHost = z.infer<typeof FleetHostSchema>;

/**
 * The fleet overview pushed to browsers: all of it first, then a host's new row, or its removal;
 * hosts whose only change is their usage figures come together, by host id, once a moment.
 */
export const FleetUpdateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('snapshot'), hosts: z.array(FleetHostSchema) }),
  z.object({ kind: z.literal('host'), host: FleetHostSchema }),
  z.object({ kind: z.literal('removed'), hostId: z.string() }),
  z.object({ kind: z.literal('usage'), usage: z.record(z.string(), HostUsageSchema) }),
]);
export type FleetUpdate = z.infer<typeof FleetUpdateSchema>;

const absolutePath = (example: string) =>
  z.string().refine((p) => p.startsWith('/') && !p.split('/').includes('..') && !/[\0\n]/.test(p), {
    message: `must be an absolute path without "..", such as ${example}`,
  });

/**
 * Install or upgrade the agent on a machine over SSH: on a host already added (its stored SSH
 * credentials), or on a new one before it is added. Roots left out keep what an earlier install
 * chose, else the defaults.
 */
export const InstallAgentInput = z.object({
  target: z.union([z.object({ hostId: z.string().min(1).max(64) }), SshHostInput]),
  installDir: absolutePath('/opt/stevedore').default('/opt/stevedore'),
  dataRoot: absolutePath('/var/lib/stevedore').optional(),
  execRoot: absolutePath('/run/stevedore').optional(),
});
export type InstallAgentInput = z.input<typeof InstallAgentInput>;

export const InstallJobInput = z.object({ jobId: z.string().uuid() });

export const InstallStepSchema = z.enum(['connect', 'preflight', 'packages', 'upload', 'service', 'verify']);
export type InstallStep = z.infer<typeof InstallStepSchema>;

/** Progress of an agent installation, as the dashboard shows it. */
export const InstallProgressSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('step'), step: InstallStepSchema, message: z.string() }),
  z.object({ kind: z.literal('log'), line: z.string() }),
  z.object({
    kind: z.literal('done'),
    version: z.string(),
    /** The SSH host key seen (pin it when adding the host). */
    hostKeyFingerprint: z.string(),
    warnings: z.array(z.string()),
  }),
]);
export type InstallProgress = z.infer<typeof InstallProgressSchema>;
