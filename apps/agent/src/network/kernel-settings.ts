import { access, readFile, writeFile } from 'node:fs/promises';
import { StevedoreError } from '@stevedore/shared';
import { execFile } from '../util/exec.js';

/**
 * The kernel settings bridge networks need: IPv4 forwarding (refused without it) and
 * bridge-nf-call-iptables, without which published ports are not reached from the same bridge
 * (a warning in `warnings`).
 */
export async function prepareKernel(warnings: string[]): Promise<void> {
  const forwarding = '/proc/sys/net/ipv4/ip_forward';
  if ((await readFile(forwarding, 'utf8').catch(() => '0')).trim() !== '1') {
    await writeFile(forwarding, '1').catch((error: Error) => {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        `IPv4 forwarding is disabled and could not be enabled (${error.message}): bridge networks need net.ipv4.ip_forward=1 (sysctl -w net.ipv4.ip_forward=1)`,
      );
    });
  }
  const bridgeNetfilter = '/proc/sys/net/bridge/bridge-nf-call-iptables';
  const present = () =>
    access(bridgeNetfilter).then(
      () => true,
      () => false,
    );
  if (!(await present())) await execFile('modprobe', ['br_netfilter']);
  if (!(await present())) {
    warnings.push(
      'WARNING: bridge-nf-call-iptables is disabled (module br_netfilter is not loaded): containers on one network reach each other, but not their own published ports',
    );
  } else if ((await readFile(bridgeNetfilter, 'utf8')).trim() !== '1') {
    await writeFile(bridgeNetfilter, '1').catch(() =>
      warnings.push('WARNING: bridge-nf-call-iptables is disabled'),
    );
  }
}
