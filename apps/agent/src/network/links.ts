import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import { execFile } from '../util/exec.js';

/**
 * The kernel objects behind networks, made with iproute2: bridges, network namespaces bound to
 * files (so a container can join one by path), and veth pairs between them.
 */

async function ip(commands: string[], netns?: string): Promise<void> {
  const [file, args] = netns ? ['nsenter', [`--net=${netns}`, 'ip', '-batch', '-']] : ['ip', ['-batch', '-']];
  const result = await execFile(file, args as string[], { input: `${commands.join('\n')}\n` });
  if (result.code !== 0) {
    throw new StevedoreError(
      'INTERNAL',
      `ip ${commands.join('; ')}${netns ? ` (in ${netns})` : ''} failed: ${result.stderr.trim()}`,
      { commands, netns },
    );
  }
}

export async function linkExists(name: string): Promise<boolean> {
  return access(`/sys/class/net/${name}`).then(
    () => true,
    () => false,
  );
}

/** Creates the bridge when missing, gives it the gateway address and brings it up. Idempotent. */
export async function ensureBridge(name: string, gatewayCidr: string): Promise<void> {
  const commands = (await linkExists(name)) ? [] : [`link add name ${name} type bridge`];
  commands.push(`addr replace ${gatewayCidr} dev ${name}`, `link set ${name} up`);
  await ip(commands);
  // Lets packets from 127.0.0.1 be routed to containers: localhost-published ports need it.
  await writeFile(`/proc/sys/net/ipv4/conf/${name}/route_localnet`, '1');
}

export async function removeBridge(name: string): Promise<void> {
  if (await linkExists(name)) await ip([`link del ${name}`]);
}

/**
 * A fresh network namespace bound to `path` (or `existing`, e.g. /proc/PID/ns/net, bound there),
 * with loopback up and `inside` run in it: one process for a new namespace and its interfaces.
 */
export async function createSandbox(
  path: string,
  existing: string | undefined,
  inside: string[],
): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, '');
  const input = `${['link set lo up', ...inside].join('\n')}\n`;
  const result = existing
    ? await execFile('mount', ['--bind', existing, path]).then((mounted) =>
        mounted.code === 0 ? execFile('nsenter', [`--net=${path}`, 'ip', '-batch', '-'], { input }) : mounted,
      )
    : await execFile('unshare', [`--net=${path}`, 'ip', '-batch', '-'], { input });
  if (result.code !== 0) {
    await removeSandbox(path);
    throw new StevedoreError(
      'INTERNAL',
      `setting up network namespace ${path} failed: ${result.stderr.trim()}`,
      {
        commands: inside,
      },
    );
  }
}

export async function removeSandbox(path: string): Promise<void> {
  await execFile('umount', ['--lazy', path]);
  await rm(path, { force: true });
}

export interface InterfaceSpec {
  /** The agent's own network namespace, where the host end and the bridge live. */
  hostNetns: string;
  hostName: string;
  name: string;
  mac: string;
  /** address/prefix */
  addressCidr: string;
  /** Route everything via this address (null: only the subnet is reachable, for --internal). */
  defaultGateway: string | null;
  bridge: string;
}

/**
 * Inside the container's namespace: the veth pair is made there (its peer sent to the host's
 * namespace), so address and route are set in the same batch.
 */
export function insideCommands(spec: InterfaceSpec): string[] {
  return [
    `link add ${spec.name} address ${spec.mac} type veth peer name ${spec.hostName} netns ${spec.hostNetns}`,
    `addr add ${spec.addressCidr} dev ${spec.name}`,
    `link set ${spec.name} up`,
    ...(spec.defaultGateway ? [`route add default via ${spec.defaultGateway} dev ${spec.name}`] : []),
  ];
}

/** On the host: the peers join their bridges, with hairpin so a container reaches its own published port. */
export async function attachToBridges(specs: readonly InterfaceSpec[]): Promise<void> {
  if (specs.length === 0) return;
  await ip(
    specs.flatMap((spec) => [
      `link set ${spec.hostName} master ${spec.bridge}`,
      `link set ${spec.hostName} type bridge_slave hairpin on`,
      `link set ${spec.hostName} up`,
    ]),
  );
}

/** A further interface in a running container's namespace (`network connect`). */
export async function addInterface(netns: string, spec: InterfaceSpec): Promise<void> {
  await ip(insideCommands(spec), netns);
  try {
    await attachToBridges([spec]);
  } catch (error) {
    // The attach error is the one the caller needs. A host end this cannot remove goes with its
    // pair when the container's namespace is removed.
    await removeInterface(spec.hostName).catch(() => undefined);
    throw error;
  }
}

/** Deleting one end of a veth pair deletes both. */
export async function removeInterface(hostName: string): Promise<void> {
  if (await linkExists(hostName)) await ip([`link del ${hostName}`]);
}
