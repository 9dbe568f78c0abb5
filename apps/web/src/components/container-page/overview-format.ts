import { bytesSize, type ContainerInspect } from '@stevedore/shared';

/** argv as a shell would read it: words with spaces or quotes are single-quoted. */
export function shellWords(argv: readonly string[] | null | undefined): string {
  if (!argv || argv.length === 0) return '';
  return argv
    .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

/**
 * The host name a browser should use for a published port: the bind address when it is a specific
 * one; otherwise the agent host's own name (from its address), or the dashboard's when the agent is
 * local (a unix socket).
 */
export function publishedHost(bindIp: string, hostAddress: string | undefined, browserHost: string): string {
  if (bindIp && bindIp !== '0.0.0.0' && bindIp !== '::') return bindIp.includes(':') ? `[${bindIp}]` : bindIp;
  if (hostAddress && !hostAddress.startsWith('unix:')) {
    try {
      const url = new URL(hostAddress.includes('://') ? hostAddress : `ssh://${hostAddress}`);
      if (url.hostname) return url.hostname;
    } catch {
      // Not a URL (an SSH user@host string without a scheme is handled above): fall back below.
    }
  }
  return browserHost;
}

export interface PortRow {
  containerPort: string;
  protocol: string;
  /** null: exposed but not published. */
  hostIp: string | null;
  hostPort: string | null;
}

/** `NetworkSettings.Ports` as one row per binding (exposed-only ports get one row without a host port). */
export function portRows(ports: ContainerInspect['NetworkSettings']['Ports']): PortRow[] {
  return Object.entries(ports)
    .sort(([a], [b]) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .flatMap(([key, bindings]): PortRow[] => {
      const [containerPort = key, protocol = 'tcp'] = key.split('/');
      if (!bindings || bindings.length === 0)
        return [{ containerPort, protocol, hostIp: null, hostPort: null }];
      return bindings.map((binding) => ({
        containerPort,
        protocol,
        hostIp: binding.HostIp,
        hostPort: binding.HostPort,
      }));
    });
}

/** The resource limits that are set, in words; an empty list means "no limits". */
export function limitRows(hostConfig: ContainerInspect['HostConfig']): [string, string][] {
  const rows: [string, string][] = [];
  if (hostConfig.Memory > 0) rows.push(['Memory', bytesSize(hostConfig.Memory)]);
  if (hostConfig.MemorySwap === -1) rows.push(['Memory + swap', 'unlimited swap']);
  else if (hostConfig.MemorySwap > 0) rows.push(['Memory + swap', bytesSize(hostConfig.MemorySwap)]);
  if (hostConfig.MemoryReservation > 0)
    rows.push(['Memory reservation', bytesSize(hostConfig.MemoryReservation)]);
  if (hostConfig.OomKillDisable) rows.push(['OOM killer', 'disabled']);
  if (hostConfig.NanoCpus > 0) rows.push(['CPUs', String(hostConfig.NanoCpus / 1e9)]);
  if (hostConfig.CpuQuota > 0) {
    const period = hostConfig.CpuPeriod || 100_000;
    rows.push([
      'CPU quota',
      `${hostConfig.CpuQuota} µs per ${period} µs (${(hostConfig.CpuQuota / period).toFixed(2)} CPUs)`,
    ]);
  }
  if (hostConfig.CpuShares > 0) rows.push(['CPU shares', String(hostConfig.CpuShares)]);
  if (hostConfig.CpusetCpus) rows.push(['CPU set', hostConfig.CpusetCpus]);
  if (hostConfig.CpusetMems) rows.push(['Memory nodes', hostConfig.CpusetMems]);
  if (hostConfig.PidsLimit !== null && hostConfig.PidsLimit > 0)
    rows.push(['PIDs', String(hostConfig.PidsLimit)]);
  if (hostConfig.BlkioWeight > 0) rows.push(['Block I/O weight', String(hostConfig.BlkioWeight)]);
  if (hostConfig.ShmSize > 0) rows.push(['/dev/shm', bytesSize(hostConfig.ShmSize)]);
  return rows;
}

/** Docker writes zero times as 0001-01-01…; those mean "never". */
export function when(iso: string): string | null {
  if (!iso || iso.startsWith('0001-')) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
