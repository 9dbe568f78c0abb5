import type { ContainerSummary } from '@stevedore/shared';
import { timeAgo } from '@stevedore/shared';
import { type Command, LIST_FORMAT_FLAG, listFlag, stringFlag } from '../../command.js';
import { type ListColumns, listLines } from '../../format/table.js';

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
    Labels: Object.entries(container.Labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Mounts: container.Mounts.map((m) => m.Name ?? m.Source).join(','),
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
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display container IDs' },
    { name: 'no-trunc', kind: 'boolean', description: "Don't truncate output" },
    { name: 'filter', short: 'f', kind: 'list', description: 'Filter output based on conditions provided' },
    LIST_FORMAT_FLAG,
  ],
  args: { min: 0, max: 0 },
  async execute(context) {
    const containers = await (await context.agent()).containers.list.query({
      all: context.flags.get('all') === true,
      filters: listFlag(context, 'filter'),
    });
    const noTrunc = context.flags.get('no-trunc') === true;
    const rows = containers.map((c) => rowOf(c, noTrunc));
    const format = stringFlag(context, 'format');
    if (context.flags.get('quiet')) {
      context.reporter.lines(rows.map((row) => row.ID));
    } else {
      context.reporter.lines(listLines(format, rows, PS_COLUMNS));
    }
    return 0;
  },
};
