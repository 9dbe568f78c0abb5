import { isIP } from 'node:net';

/** A listen/connect address in Docker's `-H` form. */
export type HostAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export function parseHostAddress(value: string): HostAddress {
  if (value.startsWith('unix://')) {
    const path = value.slice('unix://'.length);
    if (!path.startsWith('/')) throw new Error(`"${value}" must be unix:///absolute/path`);
    return { kind: 'unix', path };
  }
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/[\]]+):(\d{1,5})\/?$/.exec(value);
  if (tcp) {
    const host = (tcp[1] as string).replace(/^\[|\]$/g, '');
    const port = Number(tcp[2]);
    if (host !== 'localhost' && isIP(host) === 0) {
      throw new Error(`"${value}": "${host}" is not an IP address (or localhost)`);
    }
    if (port > 65535) throw new Error(`"${value}": port must be 0-65535`);
    return { kind: 'tcp', host, port };
  }
  throw new Error(`"${value}" must be unix:///path/to/socket or tcp://ip:port`);
}

export function formatHostAddress(address: HostAddress): string {
  if (address.kind === 'unix') return `unix://${address.path}`;
  const host = isIP(address.host) === 6 ? `[${address.host}]` : address.host;
  return `tcp://${host}:${address.port}`;
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
