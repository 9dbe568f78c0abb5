import { StevedoreError } from '@stevedore/shared';
import { EMBEDDED_RESOLVER_ADDRESS } from '../../network/dns/resolver-redirect.js';

/**
 * The /etc/hosts Docker writes for a container: loopback names, `--add-host` entries (NAME:IP,
 * host-gateway already replaced), then the container's own entry.
 */
export function hostsFile(
  own: { ip: string; names: string[] } | null,
  extraHosts: readonly string[] = [],
): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  lines.push(...extraHostLines(extraHosts));
  if (own) lines.push(`${own.ip}\t${own.names.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

/**
 * The host's resolv.conf for a container. Outside the host's network namespace, loopback
 * nameservers (a local stub resolver) cannot be reached, so they are dropped, and Docker's public
 * defaults stand in when nothing is left.
 */
export function resolvConf(hostText: string, hostNetwork: boolean): string {
  if (hostNetwork) return hostText;
  const isLoopback = (line: string) => /^\s*nameserver\s+(127\.|::1\s*$|::1$)/.test(line);
  const kept = hostText.split('\n').filter((line) => !isLoopback(line));
  if (!kept.some((line) => /^\s*nameserver\s/.test(line))) {
    kept.push(...DEFAULT_NAMESERVERS.map((ip) => `nameserver ${ip}`));
  }
  return `${kept.filter((line, i, all) => line !== '' || i < all.length - 1).join('\n')}\n`;
}

/** `--add-host` entries (NAME:IP) as /etc/hosts lines. */
export const extraHostLines = (extraHosts: readonly string[]) =>
  extraHosts.map((entry) => `${entry.slice(entry.indexOf(':') + 1)}\t${entry.slice(0, entry.indexOf(':'))}`);

/** `--add-host NAME:host-gateway` with the gateway's address put in. */
export function resolveExtraHosts(extraHosts: readonly string[], gateway: string | undefined): string[] {
  return extraHosts.map((entry) => {
    const colon = entry.indexOf(':');
    if (entry.slice(colon + 1) !== 'host-gateway') return entry;
    if (!gateway) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `--add-host ${entry}: no host gateway address is known for this container's network`,
      );
    }
    return `${entry.slice(0, colon)}:${gateway}`;
  });
}

export interface DnsSettings {
  Dns: readonly string[];
  DnsSearch: readonly string[];
  DnsOptions: readonly string[];
}

/**
 * `--dns`, `--dns-search` and `--dns-option` over a resolv.conf: each given one replaces that
 * kind of line (Docker's rule).
 */
export function withDnsSettings(text: string, settings: DnsSettings): string {
  const replace = (kind: string, given: readonly string[], line: string) =>
    given.length > 0 && new RegExp(`^\\s*${kind}\\s`).test(line);
  const kept = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter(
      (line) =>
        !replace('nameserver', settings.Dns, line) &&
        !replace('(search|domain)', settings.DnsSearch, line) &&
        !replace('options', settings.DnsOptions, line),
    );
  const added = [
    ...settings.Dns.map((server) => `nameserver ${server}`),
    ...(settings.DnsSearch.length > 0 ? [`search ${settings.DnsSearch.join(' ')}`] : []),
    ...(settings.DnsOptions.length > 0 ? [`options ${settings.DnsOptions.join(' ')}`] : []),
  ];
  return `${[...kept, ...added].join('\n')}\n`;
}

/**
 * resolv.conf on a user network, as Docker writes it: the search domains and options of the
 * host's file (or `--dns-search`/`--dns-option` instead), the embedded resolver as the
 * nameserver (IPv6 servers too: the resolver does not forward over IPv6) and `ndots:0` unless an
 * ndots option is given, so that single names go to the resolver first.
 */
export function embeddedResolvConf(hostText: string, settings: DnsSettings): string {
  const lastLine = (kind: string) =>
    hostText
      .split('\n')
      .map((line) => new RegExp(`^\\s*${kind}\\s+(.*)$`).exec(line)?.[1])
      .filter((rest): rest is string => rest !== undefined)
      .map((rest) => rest.split(/\s+/).filter(Boolean))
      .at(-1) ?? [];
  const search = settings.DnsSearch.length > 0 ? [...settings.DnsSearch] : lastLine('search');
  const options = settings.DnsOptions.length > 0 ? [...settings.DnsOptions] : lastLine('options');
  const servers =
    settings.Dns.length > 0
      ? [...settings.Dns]
      : hostText
          .split('\n')
          .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
          .filter((server): server is string => server !== undefined);
  const ipv6 = servers.filter((server) => server.includes(':') && server !== '::1');
  if (!options.some((option) => /^ndots:\d+$/.test(option))) options.push('ndots:0');
  const lines = [
    ...(search.length > 0 && search.join(' ') !== '.' ? [`search ${search.join(' ')}`] : []),
    ...[EMBEDDED_RESOLVER_ADDRESS, ...ipv6].map((server) => `nameserver ${server}`),
    `options ${options.join(' ')}`,
  ];
  return `${lines.join('\n')}\n`;
}
