import type { ContainerSummary, DiskUsageDetails } from '@stevedore/shared';
import { humanSize, timeAgo } from '@stevedore/shared';
import { booleanFlag, type Command, LIST_FORMAT_FLAG, listFlag, stringFlag } from '../../command.js';
import { integer, parseFlagValue } from '../../flag-values.js';
import { type ListColumns, labelsText, listLines } from '../../format/table.js';

interface PsRow {
  ID: string;
  Image: string;
  Command: string;
  CreatedAt: string;
  RunningFor: string;
  Ports: string;
  State: string;
  Status: string;
  Names: string;
  Labels: string;
  Mounts: string;
  LocalVolumes: string;
}

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Docker's PORTS column: `0.0.0.0:8080->80/tcp, 443/tcp`. */
export function portsText(ports: ContainerSummary['Ports']): string {
  return ports
    .map((p) =>
      p.PublicPort === undefined
        ? `${p.PrivatePort}/${p.Type}`
        : `${p.IP}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`,
    )
    .join(', ');
}

/** Docker's `ps` columns: the header of each field and the default table. */
export const PS_COLUMNS: ListColumns = {
  headers: {
    ID: 'CONTAINER ID',
    Image: 'IMAGE',
    Command: 'COMMAND',
    CreatedAt: 'CREATED AT',
    RunningFor: 'CREATED',
    Ports: 'PORTS',
    State: 'STATE',
    Status: 'STATUS',
    Names: 'NAMES',
    Labels: 'LABELS',
    Mounts: 'MOUNTS',
    Size: 'SIZE',
    LocalVolumes: 'LOCAL VOLUMES',
  },
  table: '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
};

function rowOf(container: ContainerSummary, noTrunc: boolean): PsRow {
  const created = new Date(container.Created * 1000);
  return {
    ID: noTrunc ? container.Id : container.Id.slice(0, 12),
    Image: container.Image,
    Command: `"${noTrunc ? container.Command : truncate(container.Command, 20)}"`,
    CreatedAt: created
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' +0000 UTC'),
    RunningFor: timeAgo(created.toISOString()),
    Ports: portsText(container.Ports),
    State: container.State,
    Status: container.Status,
    Names: container.Names.map((name) => name.replace(/^\//, '')).join(','),
    Labels: labelsText(container.Labels),
    Mounts: container.Mounts.map((m) => m.Name ?? m.Source).join(','),
    LocalVolumes: String(container.Mounts.filter((m) => m.Type === 'volume').length),
  };
}

export const psCommand: Command = {
  path: ['ps'],
  usage: '[OPTIONS]',
  description: 'List containers',
  flags: [
    {
      name: 'all',
      short: 'a',
      kind: 'boolean',
      description: 'Show all containers (default shows just running)',
    },
    {
      name: 'last',
      short: 'n',
      kind: 'string',
      valueName: 'int',
      description: 'Show n last created containers (includes all states)',
      defaultText: '-1',
    },
    {
      name: 'latest',
      short: 'l',
      kind: 'boolean',
      description: 'Show the latest created container (includes all states)',
    },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display container IDs' },
    { name: 'size', short: 's', kind: 'boolean', description: 'Display total file sizes' },
    { name: 'no-trunc', kind: 'boolean', description: "Don't truncate output" },
    { name: 'filter', short: 'f', kind: 'list', description: 'Filter output based on conditions provided' },
    LIST_FORMAT_FLAG,
  ],
  args: { min: 0, max: 0 },
  async execute(context) {
    const lastText = stringFlag(context, 'last');
    const last = booleanFlag(context, 'latest')
      ? 1
      : lastText === undefined
        ? -1
        : parseFlagValue('last', lastText, integer);
    const format = stringFlag(context, 'format');
    // As Docker: a format that shows .Size asks for sizes without -s.
    const quiet = booleanFlag(context, 'quiet');
    const withSize = !quiet && (booleanFlag(context, 'size') || (format?.includes('.Size') ?? false));
    const client = await context.agent();
    const listed = await client.containers.list.query({
      // Docker: the last n include stopped containers.
      all: booleanFlag(context, 'all') || last > 0,
      filters: listFlag(context, 'filter'),
    });
    // The agent lists the newest first.
    const containers = last > 0 ? listed.slice(0, last) : listed;
    const sizes = withSize ? containerSizes(await client.system.dfDetails.query()) : null;
    const noTrunc = booleanFlag(context, 'no-trunc');
    const rows = containers.map((c) => ({
      ...rowOf(c, noTrunc),
      ...(sizes ? { Size: sizes(c) } : {}),
    }));
    if (quiet) {
      context.reporter.lines(rows.map((row) => row.ID));
    } else {
      const columns = sizes ? { ...PS_COLUMNS, table: `${PS_COLUMNS.table}\t{{.Size}}` } : PS_COLUMNS;
      context.reporter.lines(listLines(format, rows, columns));
    }
    return 0;
  },
};

/**
 * Docker's SIZE column: the container's writable layer, and with its image's layers as `virtual`
 * (`12B (virtual 1.24MB)`).
 */
export function containerSizes(details: DiskUsageDetails): (container: ContainerSummary) => string {
  const written = new Map(details.containers.map((c) => [c.ID, c.Size]));
  const imageSize = new Map(details.images.map((i) => [i.ID, i.Size]));
  return (container) => {
    const rw = written.get(container.Id) ?? 0;
    const virtual = rw + (imageSize.get(container.ImageID) ?? 0);
    return virtual > 0 ? `${humanSize(rw)} (virtual ${humanSize(virtual)})` : humanSize(rw);
  };
}
