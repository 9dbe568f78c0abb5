import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import { parse } from 'smol-toml';

/** TLS settings for one endpoint: extra CA certificates (PEM) or no verification at all. */
export interface EndpointTls {
  ca?: string;
  skipVerify?: boolean;
}

export interface HostsConfig {
  /** `server`: where the registry itself is, when not at https://<host>. */
  server?: string;
  /** `[host."URL"]` tables with the pull capability, in file order. */
  mirrors: { url: string; tls: EndpointTls }[];
  /** TLS for the registry itself: `ca.crt`/`*.crt` beside hosts.toml (Docker's certs.d), or `ca`/`skip_verify` at the top. */
  tls: EndpointTls;
}

const readCa = (dir: string, file: string) => readFileSync(isAbsolute(file) ? file : join(dir, file), 'utf8');

function tlsOf(dir: string, table: Record<string, unknown>, where: string): EndpointTls {
  const tls: EndpointTls = {};
  const ca = table.ca;
  if (typeof ca === 'string') tls.ca = readCa(dir, ca);
  else if (Array.isArray(ca)) tls.ca = ca.map((file) => readCa(dir, String(file))).join('\n');
  else if (ca !== undefined) throw new Error(`${where}: ca must be a path or a list of paths`);
  if (table.skip_verify !== undefined) {
    if (typeof table.skip_verify !== 'boolean')
      throw new Error(`${where}: skip_verify must be true or false`);
    tls.skipVerify = table.skip_verify;
  }
  return tls;
}

/**
 * `<certs.d>/<host>/hosts.toml` (containerd's format) and `*.crt` files (Docker's certs.d) for one
 * registry host, read at every pull so edits apply at once. Null when the host has no directory.
 */
export function readHostsConfig(certsDir: string | null, host: string): HostsConfig | null {
  if (!certsDir) return null;
  const dir = join(certsDir, host);
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return null;
  }
  const config: HostsConfig = { mirrors: [], tls: {} };
  const certificates = files.filter((file) => file.endsWith('.crt')).sort();
  if (certificates.length > 0) config.tls.ca = certificates.map((file) => readCa(dir, file)).join('\n');
  if (!files.includes('hosts.toml')) return config;
  const path = join(dir, 'hosts.toml');
  try {
    const toml = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (toml.server !== undefined) {
      if (typeof toml.server !== 'string' || !/^https?:\/\//.test(toml.server)) {
        throw new Error('server must be an http:// or https:// URL');
      }
      config.server = toml.server.replace(/\/+$/, '');
    }
    config.tls = { ...config.tls, ...tlsOf(dir, toml, 'the top level') };
    const hosts = (toml.host ?? {}) as Record<string, Record<string, unknown>>;
    for (const [url, table] of Object.entries(hosts)) {
      if (!/^https?:\/\//.test(url)) throw new Error(`host."${url}" must be an http:// or https:// URL`);
      const capabilities = (table.capabilities as unknown[] | undefined) ?? ['pull', 'resolve'];
      if (!capabilities.includes('pull')) continue;
      config.mirrors.push({
        url: url.replace(/\/+$/, '').replace(/\/v2$/, ''),
        tls: tlsOf(dir, table, `host."${url}"`),
      });
    }
  } catch (error) {
    throw new StevedoreError('FAILED_PRECONDITION', `${path}: ${(error as Error).message}`, { file: path });
  }
  return config;
}
