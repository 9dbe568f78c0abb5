import type { DaemonConfig } from '@stevedore/shared';
import { parseHostAddress } from './host-address.js';

/** A value that passed the schema but still cannot work. */
export interface ValueProblem {
  key: keyof DaemonConfig;
  value: string;
  message: string;
}

/** Checks the schema cannot express: CIDR ranges and listen addresses. */
export function findValueProblems(config: DaemonConfig): ValueProblem[] {
  const problems: ValueProblem[] = [];
  if (config.bip !== undefined) {
    const message = cidrProblem(config.bip);
    if (message) problems.push({ key: 'bip', value: config.bip, message });
  }
  for (const pool of config['default-address-pools'] ?? []) {
    const message = cidrProblem(pool.base);
    if (message) problems.push({ key: 'default-address-pools', value: pool.base, message });
  }
  for (const host of config.hosts ?? []) {
    try {
      parseHostAddress(host);
    } catch (error) {
      problems.push({ key: 'hosts', value: host, message: (error as Error).message });
    }
  }
  return problems;
}

function cidrProblem(value: string): string | null {
  const [address = '', prefix = ''] = value.split('/');
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    return 'must be an IPv4 CIDR such as 172.17.0.1/16 (each address part 0-255)';
  }
  const bits = Number(prefix);
  if (!Number.isInteger(bits) || bits < 1 || bits > 30) {
    return 'must be an IPv4 CIDR such as 172.17.0.1/16 (prefix length 1-30)';
  }
  return null;
}
