import {
  broadcastOf,
  formatIpv4,
  isAssignable,
  parseCidr,
  parseIpv4,
  StevedoreError,
} from '@stevedore/shared';

export interface AddressPool {
  /** The network's name, for messages. */
  Name: string;
  Subnet: string;
  Gateway: string;
  /** Addresses already given out. */
  taken: ReadonlySet<string>;
}

/**
 * An address for a new endpoint: the requested one when it is free and assignable, otherwise
 * the lowest free host address (never the network, gateway or broadcast address).
 */
export function pickAddress(pool: AddressPool, requested?: string): string {
  const subnet = parseCidr(pool.Subnet)?.subnet;
  const gateway = parseIpv4(pool.Gateway);
  if (!subnet || gateway === null) {
    throw new StevedoreError('INTERNAL', `network ${pool.Name} has an invalid subnet ${pool.Subnet}`);
  }
  if (requested !== undefined) {
    const address = parseIpv4(requested);
    if (address === null || !isAssignable(subnet, gateway, address)) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `address ${requested} cannot be given out on network ${pool.Name}: use a host address of ${pool.Subnet} other than the gateway ${pool.Gateway}`,
        { network: pool.Name, address: requested },
      );
    }
    if (pool.taken.has(requested)) {
      throw new StevedoreError('CONFLICT', `address ${requested} is already in use on network ${pool.Name}`, {
        network: pool.Name,
        address: requested,
      });
    }
    return requested;
  }
  for (let address = subnet.network + 1; address < broadcastOf(subnet); address++) {
    const text = formatIpv4(address);
    if (address !== gateway && !pool.taken.has(text)) return text;
  }
  throw new StevedoreError(
    'FAILED_PRECONDITION',
    `no free address left on network ${pool.Name} (${pool.Subnet})`,
    {
      network: pool.Name,
    },
  );
}

/** Docker's locally administered MAC for an address: 02:42 followed by the address's bytes. */
export function macForAddress(address: string): string {
  return ['02', '42', ...address.split('.').map((octet) => Number(octet).toString(16).padStart(2, '0'))].join(
    ':',
  );
}
