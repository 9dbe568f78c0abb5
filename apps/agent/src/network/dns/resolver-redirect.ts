import { StevedoreError } from '@stevedore/shared';
import { execFile } from '../../util/exec.js';

/** Where a container on a user network finds its resolver, as in Docker. */
export const EMBEDDED_RESOLVER_ADDRESS = '127.0.0.11';

/**
 * The nat rules, inside the container's namespace, that send its queries to 127.0.0.11:53 (UDP
 * and TCP) on to the network's resolver at `gateway`:53. The queries leave with the source
 * 127.0.0.1, so they are re-sourced from the container's `address`, where the resolver's answers
 * come back to be un-NATed.
 */
export function resolverRedirectScript(gateway: string, address: string): string {
  const rules = (['udp', 'tcp'] as const).flatMap((protocol) => [
    `-A OUTPUT -d ${EMBEDDED_RESOLVER_ADDRESS}/32 -p ${protocol} -m ${protocol} --dport 53 -j DNAT --to-destination ${gateway}:53`,
    `-A POSTROUTING -s 127.0.0.0/8 -d ${gateway}/32 -p ${protocol} -m ${protocol} --dport 53 -j SNAT --to-source ${address}`,
  ]);
  return ['*nat', ...rules, 'COMMIT', ''].join('\n');
}

/**
 * Makes 127.0.0.11 answer in the namespace at `netns`. Loopback-sourced packets may only leave
 * through a real interface (and their answers come back to 127.0.0.1) with route_localnet on.
 * The rules live in the container's namespace and go with it: nothing to record or undo.
 */
export async function redirectResolver(netns: string, gateway: string, address: string): Promise<void> {
  const backend = process.env.STEVEDORE_IPTABLES;
  const restore =
    backend === 'nft' || backend === 'legacy' ? `iptables-${backend}-restore` : 'iptables-restore';
  const result = await execFile(
    'nsenter',
    [
      `--net=${netns}`,
      'sh',
      '-c',
      `echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet && exec ${restore} --noflush`,
    ],
    { input: resolverRedirectScript(gateway, address) },
  );
  if (result.code !== 0) {
    throw new StevedoreError(
      'INTERNAL',
      `setting up the resolver at ${EMBEDDED_RESOLVER_ADDRESS} in ${netns} failed: ${result.stderr.trim()}`,
      { netns, gateway },
    );
  }
}
