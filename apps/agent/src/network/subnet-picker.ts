import { readFile } from 'node:fs/promises';
import { type Ipv4Subnet, parseCidr, splitPool, subnetsOverlap } from '@stevedore/shared';

/** Docker's default-address-pools: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s. */
export const DEFAULT_ADDRESS_POOLS = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/15', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/13', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** IPv4 routes of this network namespace (`/proc/net/route`, little-endian hex), default route excluded. */
export async function hostRoutes(): Promise<Ipv4Subnet[]> {
  const text = await readFile('/proc/net/route', 'utf8').catch(() => '');
  const routes: Ipv4Subnet[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const destination = littleEndianHex(fields[1] as string);
    const mask = littleEndianHex(fields[7] as string);
    const prefix = mask.toString(2).replace(/0/g, '').length;
    if (prefix === 0) continue;
    routes.push({ network: destination, prefix });
  }
  return routes;
}

function littleEndianHex(hex: string): number {
  const value = Number.parseInt(hex, 16);
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/** The first subnet of the pools that overlaps neither a host route nor a subnet in use. */
export function pickFreeSubnet(
  pools: readonly { base: string; size: number }[],
  inUse: readonly Ipv4Subnet[],
): Ipv4Subnet | null {
  for (const pool of pools) {
    const base = parseCidr(pool.base)?.subnet;
    if (!base) continue;
    for (const candidate of splitPool(base, pool.size)) {
      if (!inUse.some((used) => subnetsOverlap(used, candidate))) return candidate;
    }
  }
  return null;
}
