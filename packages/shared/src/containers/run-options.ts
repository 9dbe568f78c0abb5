import { z } from 'zod';
import { parseIpv4 } from '../ipv4.js';
import { splitCsvRecord } from './csv-record.js';
import { AbsolutePath } from './fields.js';

/**
 * The `run`/`create` options Docker keeps in HostConfig beyond resources: DNS, extra hosts,
 * `--mount`, devices, sysctls, extra groups, namespace modes and `--volumes-from`, as schemas (the
 * agent validates the request with them) and as parsers of Docker's command-line syntax (the CLI
 * turns a bad value into Docker's message and exit status 125).
 */

const isIpv6 = (text: string) => /^[0-9a-fA-F:.]+$/.test(text) && text.includes(':') && text.length <= 45;
export const isIpAddress = (text: string) => parseIpv4(text) !== null || isIpv6(text);

/** `--add-host NAME:IP`, IP may be `host-gateway` (the network's gateway on the host). */
export const ExtraHostSchema = z.string().refine(
  (entry) => {
    const colon = entry.indexOf(':');
    const ip = entry.slice(colon + 1);
    return colon > 0 && (ip === 'host-gateway' || isIpAddress(ip.replace(/^\[|\]$/g, '')));
  },
  { message: 'extra hosts are NAME:IP (IP may be host-gateway)' },
);

export function parseAddHost(text: string): string {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error(`bad format for add-host: "${text}"`);
  const ip = text.slice(colon + 1).replace(/^\[|\]$/g, '');
  if (ip !== 'host-gateway' && !isIpAddress(ip)) throw new Error(`invalid IP address in add-host: "${ip}"`);
  return `${text.slice(0, colon)}:${ip}`;
}

export const DnsServerSchema = z.string().refine(isIpAddress, { message: 'a DNS server is an IP address' });

export function parseDnsServer(text: string): string {
  if (!isIpAddress(text)) throw new Error(`${text} is not an ip address`);
  return text;
}

const DOMAIN = /^\.$|^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*\.?$/;
export const DnsSearchSchema = z
  .string()
  .regex(DOMAIN, { message: 'a DNS search domain is a domain name' })
  .max(255);

export function parseDnsSearch(text: string): string {
  if (!DOMAIN.test(text) || text.length > 255) throw new Error(`${text} is not a valid domain`);
  return text;
}

export const DnsOptionSchema = z.string().regex(/^[a-zA-Z0-9_:.-]+$/, {
  message: 'a DNS option is a resolv.conf option such as ndots:2 or rotate',
});

/** `--device /dev/x[:/dev/y][:rwm]`. */
export const DeviceMappingSchema = z.object({
  PathOnHost: AbsolutePath,
  PathInContainer: AbsolutePath,
  CgroupPermissions: z.string().regex(/^[rwm]{1,3}$/, { message: 'device permissions are r, w and m' }),
});
export type DeviceMapping = z.infer<typeof DeviceMappingSchema>;

export function parseDevice(text: string): DeviceMapping {
  const parts = text.split(':');
  const isMode = (part: string | undefined) => part !== undefined && /^[rwm]{1,3}$/.test(part);
  let [host = '', container = '', permissions = 'rwm'] = parts;
  if (parts.length === 2 && isMode(parts[1])) [host, container, permissions] = [parts[0]!, '', parts[1]!];
  if (parts.length > 3 || (parts.length === 3 && !isMode(parts[2]))) {
    if (parts.length === 3) throw new Error(`bad mode specified: ${parts[2]}`);
    throw new Error(`bad format for path: ${text}`);
  }
  if (container === '') container = host;
  if (!host.startsWith('/')) throw new Error(`${host} is not an absolute path`);
  if (!container.startsWith('/')) throw new Error(`${container} is not an absolute path`);
  return { PathOnHost: host, PathInContainer: container, CgroupPermissions: permissions };
}

/** The sysctls Docker lets a container set: those namespaced by IPC or network namespaces. */
const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
]);
const IPC_SYSCTLS_MORE = new Set(['kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);
export const isNamespacedSysctl = (key: string) =>
  IPC_SYSCTLS.has(key) || IPC_SYSCTLS_MORE.has(key) || key.startsWith('fs.mqueue.') || key.startsWith('net.');

export const SysctlsSchema = z.record(z.string(), z.string()).superRefine((sysctls, ctx) => {
  for (const key of Object.keys(sysctls)) {
    if (!isNamespacedSysctl(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `sysctl '${key}' is not allowed` });
    }
  }
});

export function parseSysctl(text: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals <= 0 || !isNamespacedSysctl(text.slice(0, equals))) {
    throw new Error(`sysctl '${text}' is not whitelisted`);
  }
  return [text.slice(0, equals), text.slice(equals + 1)];
}

export const GroupAddSchema = z.string().regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/, {
  message: 'an extra group is a group name or a GID',
});

/** `--pid`: the host's PID namespace or another container's. */
export const PidModeSchema = z.string().regex(/^$|^host$|^container:.+$/, { message: 'invalid PID mode' });
/** `--ipc`: Docker's IPC modes. */
export const IpcModeSchema = z
  .string()
  .regex(/^$|^(none|private|shareable|host)$|^container:.+$/, { message: 'invalid IPC mode' });
export const UtsModeSchema = z.string().regex(/^$|^host$/, { message: 'invalid UTS mode' });

/** `--volumes-from CONTAINER[:ro|rw]`. */
export const VolumesFromSchema = z.string().regex(/^[^:]+(:(ro|rw))?$/, {
  message: 'volumes-from is CONTAINER[:ro|rw]',
});

const PROPAGATION = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'] as const;
export const PropagationSchema = z.enum(PROPAGATION);

/** One `--mount` (HostConfig.Mounts in Docker's API). */
export const MountSchema = z
  .object({
    Type: z.enum(['bind', 'volume', 'tmpfs']),
    Source: z.string().default(''),
    Target: AbsolutePath,
    ReadOnly: z.boolean().default(false),
    BindOptions: z.object({ Propagation: PropagationSchema.default('rprivate') }).optional(),
    VolumeOptions: z
      .object({
        NoCopy: z.boolean().default(false),
        Labels: z.record(z.string(), z.string()).default({}),
        DriverConfig: z
          .object({
            Name: z.string().default('local'),
            Options: z.record(z.string(), z.string()).default({}),
          })
          .optional(),
      })
      .optional(),
    TmpfsOptions: z
      .object({
        SizeBytes: z.number().int().nonnegative().optional(),
        Mode: z.number().int().min(0).max(0o7777).optional(),
      })
      .optional(),
  })
  .superRefine((mount, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (mount.Type === 'bind' && !mount.Source.startsWith('/')) {
      issue(
        `invalid mount config for type "bind": invalid mount path: '${mount.Source}' mount path must be absolute`,
      );
    }
    if (mount.Type === 'tmpfs' && mount.Source !== '') {
      issue('invalid mount config for type "tmpfs": field Source must not be specified');
    }
    if (
      mount.Type === 'volume' &&
      mount.Source !== '' &&
      !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(mount.Source)
    ) {
      issue(`invalid mount config for type "volume": invalid volume name "${mount.Source}"`);
    }
    if (mount.BindOptions && mount.Type !== 'bind') {
      issue(`invalid mount config for type "${mount.Type}": field BindOptions must not be specified`);
    }
    if (mount.VolumeOptions && mount.Type !== 'volume') {
      issue(`invalid mount config for type "${mount.Type}": field VolumeOptions must not be specified`);
    }
    if (mount.TmpfsOptions && mount.Type !== 'tmpfs') {
      issue(`invalid mount config for type "${mount.Type}": field TmpfsOptions must not be specified`);
    }
  });
export type Mount = z.infer<typeof MountSchema>;
export type MountInput = z.input<typeof MountSchema>;

const truthy = (key: string, value: string | undefined) => {
  if (value === undefined || value === '' || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`invalid value for ${key}: ${value}`);
};

/** `--mount type=bind,src=/a,dst=/b,readonly`, Docker's CSV syntax. */
export function parseMountSpec(text: string): MountInput {
  let type: Mount['Type'] = 'volume';
  let source = '';
  let target = '';
  let readOnly = false;
  let propagation: string | undefined;
  // Docker's default type when none is given is volume.
  let noCopy: boolean | undefined;
  const volumeOptions: Record<string, string> = {};
  const labels: Record<string, string> = {};
  let driver: string | undefined;
  let size: number | undefined;
  let mode: number | undefined;
  for (const field of splitCsvRecord(text)) {
    if (field === '') continue;
    const equals = field.indexOf('=');
    const key = (equals < 0 ? field : field.slice(0, equals)).toLowerCase();
    const value = equals < 0 ? undefined : field.slice(equals + 1);
    if (value === undefined && !['readonly', 'ro', 'volume-nocopy'].includes(key)) {
      throw new Error(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type':
        if (value !== 'bind' && value !== 'volume' && value !== 'tmpfs') {
          throw new Error(`invalid value for type: ${value}`);
        }
        type = value;
        break;
      case 'source':
      case 'src':
        source = value!;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = value!;
        break;
      case 'readonly':
      case 'ro':
        readOnly = truthy(key, value);
        break;
      case 'bind-propagation':
        if (!(PROPAGATION as readonly string[]).includes(value!)) {
          throw new Error(`invalid value for bind-propagation: ${value}`);
        }
        propagation = value;
        break;
      case 'consistency':
      case 'bind-nonrecursive':
        break;
      case 'volume-nocopy':
        noCopy = truthy(key, value);
        break;
      case 'volume-driver':
        driver = value;
        break;
      case 'volume-label':
        labels[value!.split('=', 1)[0]!] = value!.includes('=') ? value!.slice(value!.indexOf('=') + 1) : '';
        break;
      case 'volume-opt': {
        const optEquals = value!.indexOf('=');
        if (optEquals <= 0) throw new Error(`invalid value for volume-opt: ${value}`);
        volumeOptions[value!.slice(0, optEquals)] = value!.slice(optEquals + 1);
        break;
      }
      case 'tmpfs-size':
        size = parseSizeBytes(value!);
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]{1,4}$/.test(value!)) throw new Error(`invalid value for tmpfs-mode: ${value}`);
        mode = Number.parseInt(value!, 8);
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (target === '') throw new Error('target is required');
  const volumeSet =
    noCopy !== undefined ||
    driver !== undefined ||
    Object.keys(labels).length + Object.keys(volumeOptions).length > 0;
  if (type !== 'bind' && propagation)
    throw new Error(`cannot mix 'bind-*' options with mount type '${type}'`);
  if (type !== 'volume' && volumeSet)
    throw new Error(`cannot mix 'volume-*' options with mount type '${type}'`);
  if (type !== 'tmpfs' && (size !== undefined || mode !== undefined)) {
    throw new Error(`cannot mix 'tmpfs-*' options with mount type '${type}'`);
  }
  return {
    Type: type,
    Source: source,
    Target: target,
    ReadOnly: readOnly,
    ...(type === 'bind' && propagation
      ? { BindOptions: { Propagation: propagation as (typeof PROPAGATION)[number] } }
      : {}),
    ...(type === 'volume' && volumeSet
      ? {
          VolumeOptions: {
            NoCopy: noCopy ?? false,
            Labels: labels,
            ...(driver !== undefined || Object.keys(volumeOptions).length > 0
              ? { DriverConfig: { Name: driver ?? 'local', Options: volumeOptions } }
              : {}),
          },
        }
      : {}),
    ...(type === 'tmpfs' && (size !== undefined || mode !== undefined)
      ? {
          TmpfsOptions: {
            ...(size !== undefined ? { SizeBytes: size } : {}),
            ...(mode !== undefined ? { Mode: mode } : {}),
          },
        }
      : {}),
  };
}

/** tmpfs-size: bytes, or with a k/m/g suffix (binary units, as Docker's). */
function parseSizeBytes(text: string): number {
  const match = /^(\d+)([kmg]?)b?$/i.exec(text);
  if (!match) throw new Error(`invalid value for tmpfs-size: ${text}`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'
  ];
  return Number(match[1]) * unit;
}

/** `-v` mode options Docker accepts: access, SELinux relabel, propagation and nocopy. */
export const BIND_MODE_OPTIONS = ['ro', 'rw', 'z', 'Z', 'nocopy', ...PROPAGATION] as const;

/** `--platform`: os[/arch[/variant]] in OCI terms. */
export function parsePlatform(text: string): { os: string; architecture: string; variant?: string } {
  const [os = '', architecture = '', variant, ...rest] = text.toLowerCase().split('/');
  if (
    os === '' ||
    rest.length > 0 ||
    !/^[a-z0-9_]+$/.test(os) ||
    (architecture !== '' && !/^[a-z0-9_]+$/.test(architecture))
  ) {
    throw new Error(`"${text}": unknown operating system or architecture: invalid argument`);
  }
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** The OCI architecture name of a kernel's (`uname -m`) one. */
export function ociArchitecture(machine: string): string {
  return (
    {
      x86_64: 'amd64',
      aarch64: 'arm64',
      armv7l: 'arm',
      i686: '386',
      i386: '386',
      ppc64le: 'ppc64le',
      s390x: 's390x',
    }[machine] ?? machine
  );
}
