/** The /etc/hosts Docker writes for a container: loopback names, then the container's own entries. */
export function hostsFile(own: { ip: string; names: string[] } | null): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
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
