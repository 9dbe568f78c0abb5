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
    name: HostNameSchema,
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
  name: HostNameSchema,
  transport: z.literal('unix'),
  socketPath: z.string().refine((p) => p.startsWith('/'), { message: 'must be an absolute path' }),
});

export const TlsHostInput = z.object({
  name: HostNameSchema,
  transport: z.literal('tls'),
  url: z
    .url({ protocol: /^https?$/, message: 'must be an https:// URL such as https://10.0.0.5:2376' })
    .refine((url) => url.startsWith('https:') || isLoopbackUrl(url), {
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

export const CreateHostInput = z.discriminatedUnion('transport', [UnixHostInput, TlsHostInput, SshHostInput]);
export type CreateHostInput = z.infer<typeof CreateHostInput>;

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const HostIdInput = z.object({ hostId: z.string().min(1).max(64) });

export const HostConnectionStateSchema = z.enum(['connecting', 'online', 'degraded', 'offline']);
export type HostConnectionState = z.infer<typeof HostConnectionStateSchema>;

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
    })
    .nullable(),
  usage: HostUsageSchema.nullable(),
  /** Why agent/usage are missing although the host is connected, e.g. a timed-out call. */
  error: z.string().nullable(),
});
export type FleetHost = z.infer<typeof FleetHostSchema>;
