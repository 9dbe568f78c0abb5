import { isIP } from 'node:net';
import { DEFAULT_DOMAIN } from '@stevedore/shared';

export interface RegistryEndpoint {
  /** Base URL, e.g. https://registry-1.docker.io or http://127.0.0.1:5000 */
  url: string;
  /** A mirror serves another registry's content; the upstream is the registry itself. */
  mirror: boolean;
}

export interface EndpointConfig {
  /** Docker's `registry-mirrors`: mirrors of docker.io, tried in order. */
  registryMirrors: string[];
  /** `host:port` entries or CIDRs reached over plain HTTP (127.0.0.0/8 always is). */
  insecureRegistries: string[];
}

const DOCKER_HUB_API = 'registry-1.docker.io';

/** Docker's rule: plain HTTP for loopback, listed host:port names and hosts inside listed CIDRs. */
export function isInsecureRegistry(domain: string, insecure: readonly string[]): boolean {
  const host = hostOf(domain);
  if (host === 'localhost' || isInCidr(host, '127.0.0.0/8') || host === '::1') return true;
  return insecure.some((entry) =>
    entry.includes('/') ? isInCidr(host, entry) : entry === domain || entry === host,
  );
}

/** Mirrors first (containerd hosts semantics), then the registry itself. */
export function endpointsFor(domain: string, config: EndpointConfig): RegistryEndpoint[] {
  const mirrors =
    domain === DEFAULT_DOMAIN
      ? config.registryMirrors.map((url) => ({ url: url.replace(/\/+$/, ''), mirror: true }))
      : [];
  const upstreamHost = domain === DEFAULT_DOMAIN ? DOCKER_HUB_API : domain;
  const scheme = isInsecureRegistry(domain, config.insecureRegistries) ? 'http' : 'https';
  return [...mirrors, { url: `${scheme}://${upstreamHost}`, mirror: false }];
}

function hostOf(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  const colon = domain.lastIndexOf(':');
  return colon === -1 ? domain : domain.slice(0, colon);
}

function isInCidr(host: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(host) !== 4 || !base || isIP(base) !== 4 || !(bits >= 0 && bits <= 32)) return false;
  const toInt = (ip: string) => ip.split('.').reduce((n, octet) => (n << 8) + Number(octet), 0) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(host) & mask) === (toInt(base) & mask);
}
