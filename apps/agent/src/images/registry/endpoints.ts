import { DEFAULT_DOMAIN, parseCidr, parseIpv4, subnetContains } from '@stevedore/shared';
import { type EndpointTls, readHostsConfig } from './hosts-config.js';

export interface RegistryEndpoint {
  /** Base URL, e.g. https://registry-1.docker.io or http://127.0.0.1:5000 */
  url: string;
  /** A mirror serves another registry's content; the upstream is the registry itself. */
  mirror: boolean;
  /** A per-registry CA or skip_verify from certs.d; the system CAs otherwise. */
  tls?: EndpointTls;
}

export interface EndpointConfig {
  /** Docker's `registry-mirrors`: mirrors of docker.io, tried in order. */
  registryMirrors: string[];
  /** `host:port` entries or CIDRs reached over plain HTTP (127.0.0.0/8 always is). */
  insecureRegistries: string[];
  /** `certs.d`: per-registry `hosts.toml` (mirrors for any registry) and CA certificates. */
  certsDir: string | null;
}

const DOCKER_HUB_API = 'registry-1.docker.io';

/** Docker's rule: plain HTTP for loopback, listed host:port names and hosts inside listed CIDRs. */
export function isInsecureRegistry(domain: string, insecure: readonly string[]): boolean {
  return insecureReason(domain, insecure) !== null;
}

/** Why a registry is reached over plain HTTP (loopback, listed by name, inside a listed CIDR), or null. */
export function insecureReason(
  domain: string,
  insecure: readonly string[],
): 'loopback' | 'listed' | 'cidr' | null {
  const host = hostOf(domain);
  if (host === 'localhost' || isInCidr(host, '127.0.0.0/8') || host === '::1') return 'loopback';
  if (insecure.some((entry) => !entry.includes('/') && (entry === domain || entry === host))) return 'listed';
  if (insecure.some((entry) => entry.includes('/') && isInCidr(host, entry))) return 'cidr';
  return null;
}

/**
 * Mirrors first, in order (Docker's `registry-mirrors` for docker.io, then the `[host]` tables of
 * `certs.d/<registry>/hosts.toml`, containerd's semantics), then the registry itself.
 */
export function endpointsFor(domain: string, config: EndpointConfig): RegistryEndpoint[] {
  const hosts = readHostsConfig(config.certsDir, domain);
  const mirrors: RegistryEndpoint[] = [
    ...(domain === DEFAULT_DOMAIN
      ? config.registryMirrors.map((url) => ({ url: url.replace(/\/+$/, ''), mirror: true }))
      : []),
    ...(hosts?.mirrors ?? []).map((m) => ({ url: m.url, mirror: true, tls: m.tls })),
  ];
  const upstreamHost = domain === DEFAULT_DOMAIN ? DOCKER_HUB_API : domain;
  const scheme = isInsecureRegistry(domain, config.insecureRegistries) ? 'http' : 'https';
  const upstream: RegistryEndpoint = { url: hosts?.server ?? `${scheme}://${upstreamHost}`, mirror: false };
  if (hosts && Object.keys(hosts.tls).length > 0) upstream.tls = hosts.tls;
  return [...mirrors, upstream];
}

function hostOf(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  const colon = domain.lastIndexOf(':');
  return colon === -1 ? domain : domain.slice(0, colon);
}

function isInCidr(host: string, cidr: string): boolean {
  const address = parseIpv4(host);
  const subnet = parseCidr(cidr)?.subnet;
  return address !== null && subnet !== undefined && subnetContains(subnet, address);
}
