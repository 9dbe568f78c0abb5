import { z } from 'zod';

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
export const CapabilitySchema = z
  .string()
  .transform((value) => {
    const upper = value.trim().toUpperCase();
    return upper === 'ALL' ? 'ALL' : `CAP_${upper.replace(/^CAP_/, '')}`;
  })
  .refine((cap) => cap === 'ALL' || ALL_CAPABILITIES.includes(cap), {
    message: 'unknown capability: use a Linux capability name such as NET_ADMIN, or ALL',
  });
