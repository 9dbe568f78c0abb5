import type { PublishedPort } from '@stevedore/shared';
import type { Command } from '../../command.js';
import { OperationalError, wordedAsLookup } from '../../errors.js';

/** Docker's `port` lines: `80/tcp -> 0.0.0.0:8080`. */
export function portLines(ports: readonly PublishedPort[], filter?: string): string[] {
  const [portText, protocol = 'tcp'] = (filter ?? '').split('/');
  return ports
    .filter((p) => filter === undefined || (String(p.ContainerPort) === portText && p.Protocol === protocol))
    .map((p) =>
      filter === undefined
        ? `${p.ContainerPort}/${p.Protocol} -> ${p.HostIp}:${p.HostPort}`
        : `${p.HostIp}:${p.HostPort}`,
    );
}

export const portCommand: Command = {
  path: ['port'],
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  flags: [],
  args: { min: 1, max: 2 },
  async execute(context) {
    const [container, filter] = context.args as [string, string | undefined];
    const client = await context.agent();
    // Docker's client looks the container up itself: a missing one is `Error: No such container`.
    const ports = await wordedAsLookup(() => client.containers.port.query({ container }));
    const lines = portLines(ports, filter);
    if (filter !== undefined && lines.length === 0) {
      throw new OperationalError(
        `Error: No public port '${filter.includes('/') ? filter : `${filter}/tcp`}' published for ${container}`,
        1,
      );
    }
    context.reporter.lines(lines);
    return 0;
  },
};
