import { z } from 'zod';
import { isAssignable, parseCidr, parseIpv4 } from './ipv4.js';

/** Names Docker reserves for its own modes: they cannot name a user network. */
export const RESERVED_NETWORK_NAMES = ['bridge', 'host', 'none', 'default'] as const;

export const NetworkNameSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, {
  message: 'network names are [a-zA-Z0-9][a-zA-Z0-9_.-] (at most 63 characters)',
});

export const Ipv4AddressSchema = z.string().refine((text) => parseIpv4(text) !== null, {
  message: 'must be an IPv4 address such as 172.18.0.5',
});

export const Ipv4CidrSchema = z.string().refine((text) => parseCidr(text) !== null, {
  message: 'must be an IPv4 subnet such as 172.18.0.0/16',
});

export const NetworkCreateSchema = z
  .object({
    Name: NetworkNameSchema.refine((name) => !(RESERVED_NETWORK_NAMES as readonly string[]).includes(name), {
      message: `network names ${RESERVED_NETWORK_NAMES.join(', ')} are reserved for network modes`,
    }),
    Driver: z.literal('bridge', { message: 'the only network driver is "bridge"' }).default('bridge'),
    Internal: z.boolean().default(false),
    Subnet: Ipv4CidrSchema.optional(),
    Gateway: Ipv4AddressSchema.optional(),
    Labels: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((input, ctx) => {
    if (input.Gateway !== undefined && input.Subnet === undefined) {
      ctx.addIssue({ code: 'custom', path: ['Gateway'], message: 'a gateway needs a --subnet' });
      return;
    }
    if (input.Subnet === undefined) return;
    // A Subnet that is no CIDR has its own issue already (refinements run even then).
    const subnet = parseCidr(input.Subnet)?.subnet;
    if (!subnet) return;
    if (subnet.prefix > 29 || subnet.prefix < 8) {
      ctx.addIssue({
        code: 'custom',
        path: ['Subnet'],
        message: `subnet ${input.Subnet}: the prefix length must be 8 to 29`,
      });
      return;
    }
    if (input.Gateway !== undefined) {
      const gateway = parseIpv4(input.Gateway) as number;
      if (!isAssignable(subnet, -1, gateway)) {
        ctx.addIssue({
          code: 'custom',
          path: ['Gateway'],
          message: `gateway ${input.Gateway} is not a host address of subnet ${input.Subnet}`,
        });
      }
    }
  });
export type NetworkCreateInput = z.input<typeof NetworkCreateSchema>;
export type NetworkCreate = z.infer<typeof NetworkCreateSchema>;

/** `docker network inspect`. */
export const NetworkInspectSchema = z.object({
  Name: z.string(),
  Id: z.string(),
  Created: z.string(),
  Scope: z.literal('local'),
  Driver: z.string(),
  EnableIPv6: z.boolean(),
  IPAM: z.object({
    Driver: z.literal('default'),
    Config: z.array(z.object({ Subnet: z.string(), Gateway: z.string() })),
  }),
  Internal: z.boolean(),
  Containers: z.record(
    z.string(),
    z.object({
      Name: z.string(),
      EndpointID: z.string(),
      MacAddress: z.string(),
      IPv4Address: z.string(),
      IPv6Address: z.string(),
    }),
  ),
  Options: z.record(z.string(), z.string()),
  Labels: z.record(z.string(), z.string()),
});
export type NetworkInspect = z.infer<typeof NetworkInspectSchema>;

export const NetworkConnectSchema = z.object({
  network: z.string().min(1),
  container: z.string().min(1),
  Aliases: z.array(z.string().min(1)).default([]),
  IPv4Address: Ipv4AddressSchema.optional(),
});
export type NetworkConnect = z.infer<typeof NetworkConnectSchema>;

export const NetworkDisconnectSchema = z.object({
  network: z.string().min(1),
  container: z.string().min(1),
  force: z.boolean().default(false),
});

// ---- ports ---------------------------------------------------------------------------------------

export const PROTOCOLS = ['tcp', 'udp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

const portNumber = (text: string) => /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;

/** "80/tcp", the key Docker uses for a container port. */
export const PortKeySchema = z
  .string()
  .refine((key) => /^\d{1,5}\/(tcp|udp)$/.test(key) && portNumber(key.split('/')[0] ?? ''), {
    message: 'a container port is PORT/tcp or PORT/udp with PORT 1-65535',
  });

export const PortBindingSchema = z.object({
  HostIp: z.union([z.literal(''), Ipv4AddressSchema]).default(''),
  /** "" picks a free port; "8000-8010" picks a free one in the range. */
  HostPort: z
    .string()
    .refine(
      (text) => {
        if (text === '') return true;
        const [low = '', high = low, extra] = text.split('-');
        return extra === undefined && portNumber(low) && portNumber(high) && Number(low) <= Number(high);
      },
      { message: 'a host port is PORT or LOW-HIGH with ports 1-65535' },
    )
    .default(''),
});
export type PortBinding = z.infer<typeof PortBindingSchema>;

export const PortBindingsSchema = z.record(PortKeySchema, z.array(PortBindingSchema));
export type PortBindings = z.infer<typeof PortBindingsSchema>;

const PUBLISH_HINT =
  'use [IP:][HOST_PORT[-HIGH]:]CONTAINER_PORT[-HIGH][/tcp|udp], e.g. 8080:80, 127.0.0.1:5353:53/udp or 8000-8001:80-81';

/**
 * `-p` as Docker reads it: `[ip:][hostPort[-high]:]containerPort[-high][/proto]`. Equal-length
 * ranges pair up port by port; a host range with one container port means "any free one of these".
 * Errors are worded as Docker's (`Invalid containerPort: abc`), a hint where Docker has none.
 */
export function parsePublishSpec(spec: string): PortBindings {
  const fail = (why: string): never => {
    throw new Error(why);
  };
  const [address, protocolText = 'tcp', extra] = spec.split('/');
  if (extra !== undefined || address === undefined) fail(`too many "/"; ${PUBLISH_HINT}`);
  if (!(PROTOCOLS as readonly string[]).includes(protocolText)) fail(`Invalid proto: ${protocolText}`);
  const parts = (address as string).split(':');
  if (parts.length > 3) fail(`too many ":"; ${PUBLISH_HINT}`);
  const containerText = parts.at(-1) as string;
  const hostText = parts.length >= 2 ? (parts.at(-2) as string) : '';
  const hostIp = parts.length === 3 ? (parts[0] as string) : '';
  if (hostIp !== '' && parseIpv4(hostIp) === null) fail(`Invalid ip address: ${hostIp}`);
  const range = (text: string, what: string): [number, number] => {
    const [low = '', high = low, more] = text.split('-');
    if (more !== undefined || !portNumber(low) || !portNumber(high) || Number(low) > Number(high)) {
      return fail(`Invalid ${what}: ${text}`);
    }
    return [Number(low), Number(high)];
  };
  const [ctrLow, ctrHigh] = range(containerText, 'containerPort');
  const bindings: PortBindings = {};
  const add = (containerPort: number, hostPort: string) => {
    const key = `${containerPort}/${protocolText}`;
    bindings[key] = [...(bindings[key] ?? []), { HostIp: hostIp, HostPort: hostPort }];
  };
  if (hostText === '') {
    for (let port = ctrLow; port <= ctrHigh; port++) add(port, '');
    return bindings;
  }
  const [hostLow, hostHigh] = range(hostText, 'hostPort');
  if (ctrLow === ctrHigh) {
    add(ctrLow, hostLow === hostHigh ? String(hostLow) : `${hostLow}-${hostHigh}`);
  } else if (hostHigh - hostLow === ctrHigh - ctrLow) {
    for (let offset = 0; offset <= ctrHigh - ctrLow; offset++) add(ctrLow + offset, String(hostLow + offset));
  } else {
    fail(`Invalid ranges specified for container and host Ports: ${containerText} and ${hostText}`);
  }
  return bindings;
}

/** `--expose 80`, `--expose 7000-7002/udp` → ExposedPorts keys. */
export function parseExposeSpec(spec: string): string[] {
  const [portText = '', protocol = 'tcp', extra] = spec.split('/');
  const [low = '', high = low, more] = portText.split('-');
  if (
    extra !== undefined ||
    more !== undefined ||
    !(PROTOCOLS as readonly string[]).includes(protocol) ||
    !portNumber(low) ||
    !portNumber(high) ||
    Number(low) > Number(high)
  ) {
    throw new Error('use PORT[-HIGH][/tcp|udp] with ports 1-65535');
  }
  const keys: string[] = [];
  for (let port = Number(low); port <= Number(high); port++) keys.push(`${port}/${protocol}`);
  return keys;
}

/** What a published port resolved to while the container runs (`docker port`). */
export const PublishedPortSchema = z.object({
  ContainerPort: z.number().int(),
  Protocol: z.enum(PROTOCOLS),
  HostIp: z.string(),
  HostPort: z.number().int(),
});
export type PublishedPort = z.infer<typeof PublishedPortSchema>;

/** A container's place on one network. */
export const EndpointSettingsSchema = z.object({
  NetworkID: z.string(),
  EndpointID: z.string(),
  IPAddress: z.string(),
  IPPrefixLen: z.number().int(),
  Gateway: z.string(),
  MacAddress: z.string(),
  Aliases: z.array(z.string()),
  /** The address asked for (`--ip`), kept while the container is on the network; null when the engine picked it. */
  IPAMConfig: z.object({ IPv4Address: Ipv4AddressSchema.optional() }).nullable().optional(),
});
export type EndpointSettings = z.infer<typeof EndpointSettingsSchema>;

/** `create`'s per-network requests: `--ip`, `--network-alias`. */
export const EndpointRequestSchema = z.object({
  Aliases: z
    .array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, { message: 'aliases are DNS names' }))
    .default([]),
  IPAMConfig: z.object({ IPv4Address: Ipv4AddressSchema.optional() }).default({}),
});
export type EndpointRequest = z.infer<typeof EndpointRequestSchema>;
