import { createHash } from 'node:crypto';
import { parse, stringify } from 'smol-toml';

/** One mirror's settings as the form reads and writes them (CA as PEM text). */
export interface MirrorSetting {
  url: string;
  ca: string | null;
  skipVerify: boolean;
}

/** The part of one registry's settings hosts.toml holds. */
export interface HostsTomlSettings {
  ca: string | null;
  skipVerify: boolean;
  /** The pull mirrors, in the order they are tried. */
  mirrors: MirrorSetting[];
}

export interface HostsTomlEditResult {
  /** The new hosts.toml, or null when nothing is left in it (the file goes). */
  text: string | null;
  /** Mirror CA files to write beside hosts.toml (name → PEM), named by the new file. */
  mirrorCaFiles: Map<string, string>;
  /** The registry's own CA: left as it is, written to ca.crt, or removed. */
  registryCa: { action: 'keep' } | { action: 'write'; pem: string } | { action: 'remove' };
  /** Every file name hosts.toml refers to (relative `ca` paths): they must stay. */
  referenced: Set<string>;
}

const DEFAULT_HEADER = '# Written by Stevedore (registry settings); mirrors are tried in order.';

/** Mirror CA files must not end in .crt: every *.crt beside hosts.toml is the registry's own CA. */
export const MIRROR_CA_FILE = /^mirror-[0-9a-f]{12}\.pem$/;
export const mirrorCaFile = (url: string) =>
  `mirror-${createHash('sha256').update(url).digest('hex').slice(0, 12)}.pem`;

/** A `[host."URL"]` key as the engine reads it: no trailing slash, no `/v2`. */
export const normalizeMirrorUrl = (url: string) => url.replace(/\/+$/, '').replace(/\/v2$/, '');

const samePem = (a: string | null | undefined, b: string | null | undefined) =>
  (a ?? '').trim() === (b ?? '').trim();

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const pulls = (table: Table) => {
  const capabilities = table.capabilities;
  return !Array.isArray(capabilities) || capabilities.includes('pull');
};

/** The comment lines at the top of a file (a header someone wrote), kept across rewrites. */
function leadingComments(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('#')) break;
    lines.push(line.trimEnd());
  }
  return lines;
}

function caPaths(table: Table): string[] {
  const ca = table.ca;
  if (typeof ca === 'string') return [ca];
  if (Array.isArray(ca)) return ca.map(String);
  return [];
}

/**
 * hosts.toml changed only where the settings changed, from `before` (as read) to `after`: every
 * other key and table stays as it was, in its order — entries without the pull capability (push
 * only), `server`, `header`, `override_path`, keys this version does not know. A CA that did not
 * change keeps its `ca = "path"`; a changed one is written to a file Stevedore names. Comments
 * other than the file's opening ones are not kept (the TOML parser drops them).
 */
export function editHostsToml(
  current: string | null,
  before: HostsTomlSettings,
  after: HostsTomlSettings,
): HostsTomlEditResult {
  const document: Table = current ? (parse(current) as Table) : {};
  const mirrorCaFiles = new Map<string, string>();

  let registryCa: HostsTomlEditResult['registryCa'] = { action: 'keep' };
  if (!samePem(before.ca, after.ca)) {
    // The old CA (a `ca` path or *.crt files) gives way to ca.crt, or to nothing.
    delete document.ca;
    registryCa = after.ca ? { action: 'write', pem: after.ca } : { action: 'remove' };
  }
  if (after.skipVerify !== before.skipVerify) {
    if (after.skipVerify) document.skip_verify = true;
    else delete document.skip_verify;
  }

  const hosts: Table = isTable(document.host) ? document.host : {};
  const existing = new Map<string, { key: string; table: Table }>();
  for (const [key, table] of Object.entries(hosts)) {
    if (isTable(table) && pulls(table)) existing.set(normalizeMirrorUrl(key), { key, table });
  }
  const beforeByUrl = new Map(before.mirrors.map((m) => [normalizeMirrorUrl(m.url), m]));

  const tableFor = (mirror: MirrorSetting): [string, Table] => {
    const url = normalizeMirrorUrl(mirror.url);
    const found = existing.get(url);
    const table: Table = found ? { ...found.table } : { capabilities: ['pull', 'resolve'] };
    const old = found ? beforeByUrl.get(url) : undefined;
    if (!old || !samePem(old.ca, mirror.ca)) {
      if (mirror.ca) {
        const file = mirrorCaFile(url);
        mirrorCaFiles.set(file, mirror.ca);
        table.ca = file;
      } else delete table.ca;
    }
    if (!old || old.skipVerify !== mirror.skipVerify) {
      if (mirror.skipVerify) table.skip_verify = true;
      else delete table.skip_verify;
    }
    return [found?.key ?? url, table];
  };

  // Pull mirrors take the places pull mirrors had, in the new order; the rest stay where they were.
  const queue = [...after.mirrors];
  const nextHosts: Table = {};
  for (const [key, table] of Object.entries(hosts)) {
    if (!isTable(table) || !pulls(table)) {
      nextHosts[key] = table;
      continue;
    }
    const mirror = queue.shift();
    if (mirror) {
      const [name, value] = tableFor(mirror);
      nextHosts[name] = value;
    }
  }
  for (const mirror of queue) {
    const [name, value] = tableFor(mirror);
    nextHosts[name] = value;
  }
  // Assigning an existing key keeps its place in the file.
  if (Object.keys(nextHosts).length > 0) document.host = nextHosts;
  else delete document.host;

  const referenced = new Set<string>(caPaths(document));
  for (const table of Object.values(nextHosts))
    if (isTable(table)) for (const p of caPaths(table)) referenced.add(p);

  if (Object.keys(document).length === 0) return { text: null, mirrorCaFiles, registryCa, referenced };
  const header = current ? leadingComments(current) : [];
  const body = stringify(document).trim();
  const text = `${(header.length > 0 ? header : [DEFAULT_HEADER]).join('\n')}\n${body}\n`;
  return { text, mirrorCaFiles, registryCa, referenced };
}
