/** IPv4 addresses and subnets as unsigned 32-bit numbers: enough arithmetic for IPAM. */

export interface Ipv4Subnet {
  /** The network address (host bits zero). */
  network: number;
  prefix: number;
}

const ADDRESS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string): number | null {
  const match = ADDRESS.exec(text);
  if (!match) return null;
  const octets = match.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((value, octet) => value * 256 + octet, 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `a.b.c.d/n` → the address as written and its subnet; null when it is not IPv4 CIDR. */
export function parseCidr(text: string): { address: number; subnet: Ipv4Subnet } | null {
  const [addressText = '', prefixText, extra] = text.split('/');
  if (prefixText === undefined || extra !== undefined || !/^\d{1,2}$/.test(prefixText)) return null;
  const address = parseIpv4(addressText);
  const prefix = Number(prefixText);
  if (address === null || prefix > 32) return null;
  return { address, subnet: { network: (address & mask(prefix)) >>> 0, prefix } };
}

export function formatSubnet(subnet: Ipv4Subnet): string {
  return `${formatIpv4(subnet.network)}/${subnet.prefix}`;
}

export function subnetSize(subnet: Ipv4Subnet): number {
  return 2 ** (32 - subnet.prefix);
}

export function broadcastOf(subnet: Ipv4Subnet): number {
  return subnet.network + subnetSize(subnet) - 1;
}

export function subnetContains(subnet: Ipv4Subnet, address: number): boolean {
  return (address & mask(subnet.prefix)) >>> 0 === subnet.network;
}

export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  return subnetContains(a, b.network) || subnetContains(b, a.network);
}

/** The addresses a container may get: not the network, gateway or broadcast address. */
export function isAssignable(subnet: Ipv4Subnet, gateway: number, address: number): boolean {
  return (
    subnetContains(subnet, address) &&
    address !== subnet.network &&
    address !== broadcastOf(subnet) &&
    address !== gateway
  );
}

/** Splits `base` into subnets of `/size`, in order (Docker's default-address-pools). */
export function* splitPool(base: Ipv4Subnet, size: number): Generator<Ipv4Subnet> {
  if (size < base.prefix) return;
  const step = 2 ** (32 - size);
  for (let network = base.network; network <= broadcastOf(base); network += step) {
    yield { network, prefix: size };
  }
}
