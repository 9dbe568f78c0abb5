import { z } from 'zod';
import { PrunePolicyConfigSchema } from './disk.js';

const absolutePath = z
  .string()
  .refine((p) => p.startsWith('/'), { message: 'must be an absolute path (starting with "/")' });

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, {
  message: 'must be an IPv4 CIDR such as 172.17.0.1/16',
});

/** A Docker-style host address: unix:///path or tcp://ip:port. */
export const HostAddressSchema = z.string().regex(/^(unix:\/\/\/.+|tcp:\/\/[^/]+:\d{1,5})$/, {
  message: 'must be unix:///path/to/socket or tcp://ip:port',
});

/**
 * The agent's configuration file: dockerd's daemon.json keys (the subset Stevedore implements).
 * Unknown keys are refused so a typo never silently does nothing.
 */
export const DaemonConfigSchema = z
  .object({
    'data-root': absolutePath.optional(),
    'exec-root': absolutePath.optional(),
    hosts: z.array(HostAddressSchema).optional(),
    'registry-mirrors': z
      .array(z.url({ message: 'must be a URL such as https://mirror.example:5000' }))
      .optional(),
    'insecure-registries': z.array(z.string().min(1)).optional(),
    bip: cidr.optional(),
    bridge: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,15}$/, {
        message: 'must be a Linux interface name (1-15 of a-z A-Z 0-9 _ . -)',
      })
      .optional(),
    'default-address-pools': z
      .array(z.object({ base: cidr, size: z.number().int().min(8).max(30) }))
      .optional(),
    iptables: z.boolean().optional(),
    dns: z
      .array(
        z
          .string()
          .regex(/^(\d{1,3}\.){3}\d{1,3}$/, { message: 'must be an IPv4 address such as 192.168.1.1' }),
      )
      .optional(),
    'log-opts': z.record(z.string(), z.string()).optional(),
    'live-restore': z.boolean().optional(),
    'default-runtime': z.enum(['runc', 'crun']).optional(),
    'cgroup-parent': z.string().optional(),
    'userns-remap': z
      .string()
      .regex(/^(default|[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?|\d+(:\d+)?)$/, {
        message:
          'must be "default" or a user[:group] (name or id) with ranges in /etc/subuid and /etc/subgid',
      })
      .optional(),
    tlscert: absolutePath.optional(),
    tlskey: absolutePath.optional(),
    'auth-tokens-file': absolutePath.optional(),
    'prune-policy': PrunePolicyConfigSchema.optional(),
  })
  .strict();
export type DaemonConfig = z.infer<typeof DaemonConfigSchema>;
