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
  }),
]);

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const HostIdInput = z.object({ hostId: z.string().min(1).max(64) });
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
