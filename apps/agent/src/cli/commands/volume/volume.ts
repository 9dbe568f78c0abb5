import {
  type Command,
  FILTER_FLAG,
  FORMAT_FLAG,
  LIST_FORMAT_FLAG,
  listFlag,
  stringFlag,
} from '../../command.js';
import { forEachArgument } from '../../each-argument.js';
import { wordedAsLookup } from '../../errors.js';
import { keyValueMap } from '../../flag-values.js';
import { type ListColumns, labelsText, listLines } from '../../format/table.js';
import { inspectEach } from '../../inspect-each.js';

export const volumeCreateCommand: Command = {
  path: ['volume', 'create'],
  usage: '[OPTIONS] [VOLUME]',
  description: 'Create a volume',
  flags: [
    {
      name: 'driver',
      short: 'd',
      kind: 'string',
      valueName: 'string',
      description: 'Specify volume driver name (default "local")',
    },
    { name: 'label', kind: 'list', description: 'Set metadata for a volume' },
    { name: 'opt', short: 'o', kind: 'list', description: 'Set driver specific options (default map[])' },
  ],
  args: { min: 0, max: 1 },
  async execute(context) {
    const labels = keyValueMap(listFlag(context, 'label'));
    const name = context.args[0];
    const volume = await (await context.agent()).volumes.create.mutate({
      ...(name ? { Name: name } : {}),
      Labels: labels,
      Driver: stringFlag(context, 'driver') ?? 'local',
      DriverOpts: keyValueMap(listFlag(context, 'opt')),
    });
    context.reporter.line(volume.Name);
    return 0;
  },
};

/** Docker's `volume ls` columns: the header of each field and the default table. */
const VOLUME_COLUMNS: ListColumns = {
  headers: {
    Name: 'VOLUME NAME',
    Driver: 'DRIVER',
    Scope: 'SCOPE',
    Mountpoint: 'MOUNTPOINT',
    Labels: 'LABELS',
    Links: 'LINKS',
    Size: 'SIZE',
  },
  table: '{{.Driver}}\t{{.Name}}',
};

export const volumeLsCommand: Command = {
  path: ['volume', 'ls'],
  usage: '[OPTIONS]',
  description: 'List volumes',
  flags: [
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display volume names' },
    FILTER_FLAG,
    LIST_FORMAT_FLAG,
  ],
  args: { min: 0, max: 0 },
  async execute(context) {
    const volumes = await (await context.agent()).volumes.list.query({
      filters: listFlag(context, 'filter'),
    });
    const format = stringFlag(context, 'format');
    if (context.flags.get('quiet')) context.reporter.lines(volumes.map((v) => v.Name));
    else {
      // Docker's fields; Links and Size are N/A in a listing, as Docker says.
      const rows = volumes.map((v) => ({
        Name: v.Name,
        Driver: v.Driver,
        Scope: v.Scope,
        Mountpoint: v.Mountpoint,
        Labels: labelsText(v.Labels),
        Links: 'N/A',
        Size: 'N/A',
      }));
      context.reporter.lines(listLines(format, rows, VOLUME_COLUMNS));
    }
    return 0;
  },
};

export const volumeInspectCommand: Command = {
  path: ['volume', 'inspect'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Display detailed information on one or more volumes',
  flags: [FORMAT_FLAG],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  execute: (context) => inspectEach(context, (client, name) => client.volumes.inspect.query({ name })),
};

export const volumeRmCommand: Command = {
  path: ['volume', 'rm'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Remove one or more volumes',
  flags: [
    { name: 'force', short: 'f', kind: 'boolean', description: 'Force the removal of one or more volumes' },
  ],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  execute: (context) =>
    forEachArgument(context, async (client, name) => {
      await wordedAsLookup(() =>
        client.volumes.remove.mutate({ name, force: context.flags.get('force') === true }),
      );
    }),
};
