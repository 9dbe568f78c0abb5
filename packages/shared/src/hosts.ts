import { z } from 'zod';

export const HostNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, {
    message: 'must be 1-63 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
  });

/** How the control plane reaches an agent. SSH arrives with the control-plane issue. */
export const HostTransportSchema = z.enum(['unix', 'tls']);
export type HostTransport = z.infer<typeof HostTransportSchema>;

export const CreateHostInput = z.discriminatedUnion('transport', [
  z.object({
    name: HostNameSchema,
    transport: z.literal('unix'),
    socketPath: z.string().refine((p) => p.startsWith('/'), { message: 'must be an absolute path' }),
  }),
  z.object({
    name: HostNameSchema,
    transport: z.literal('tls'),
    url: z.url({ protocol: /^wss?$|^https?$/, message: 'must be an https:// (or http:// for loopback) URL' }),
    token: z.string().min(16, { message: 'must be the agent token (at least 16 characters)' }),
    caCert: z.string().optional(),
  }),
]);
export type CreateHostInput = z.infer<typeof CreateHostInput>;

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
