import {
  type Command,
  FILTER_FLAG,
  FORMAT_FLAG,
  LIST_FORMAT_FLAG,
  listFlag,
  stringFlag,
} from '../../command.js';
import { confirm, FORCE_FLAG } from '../../confirm.js';
import { forEachArgument } from '../../each-argument.js';
import { wordedAsLookup } from '../../errors.js';
import { keyValueMap } from '../../flag-values.js';
import { type ListColumns, labelsText, listLines } from '../../format/table.js';
import { inspectEach } from '../../inspect-each.js';

export const networkCreateCommand: Command = {
  path: ['network', 'create'],
  usage: '[OPTIONS] NETWORK',
  description: 'Create a network',
  flags: [
    {
      name: 'driver',
      short: 'd',
      kind: 'string',
      valueName: 'string',
      description: 'Driver to manage the Network (bridge)',
    },
    {
      name: 'subnet',
      kind: 'string',
      valueName: 'string',
      description: 'Subnet in CIDR format that represents a network segment',
    },
    {
      name: 'gateway',
      kind: 'string',
      valueName: 'string',
      description: 'IPv4 Gateway for the master subnet',
    },
    { name: 'internal', kind: 'boolean', description: 'Restrict external access to the network' },
    { name: 'label', kind: 'list', description: 'Set metadata on a network' },
  ],
  args: { min: 1, max: 1 },
  async execute(context) {
    const subnet = stringFlag(context, 'subnet');
    const gateway = stringFlag(context, 'gateway');
    const created = await (await context.agent()).networks.create.mutate({
      Name: context.args[0] as string,
      Driver: (stringFlag(context, 'driver') ?? 'bridge') as 'bridge',
      Internal: context.flags.get('internal') === true,
      Labels: keyValueMap(listFlag(context, 'label')),
      ...(subnet ? { Subnet: subnet } : {}),
      ...(gateway ? { Gateway: gateway } : {}),
    });
    context.reporter.line(created.Id);
    return 0;
  },
};

/** Docker's `network ls` columns: the header of each field and the default table. */
const NETWORK_COLUMNS: ListColumns = {
  headers: {
    ID: 'NETWORK ID',
    Name: 'NAME',
    Driver: 'DRIVER',
    Scope: 'SCOPE',
    IPv6: 'IPV6',
    Internal: 'INTERNAL',
    Labels: 'LABELS',
    CreatedAt: 'CREATED',
  },
  table: '{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
};

export const networkLsCommand: Command = {
  path: ['network', 'ls'],
  usage: '[OPTIONS]',
  description: 'List networks',
  flags: [
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display network IDs' },
    { name: 'no-trunc', kind: 'boolean', description: 'Do not truncate the output' },
    FILTER_FLAG,
    LIST_FORMAT_FLAG,
  ],
  args: { min: 0, max: 0 },
  async execute(context) {
    const networks = await (await context.agent()).networks.list.query({
      filters: listFlag(context, 'filter'),
    });
    const id = (full: string) => (context.flags.get('no-trunc') ? full : full.slice(0, 12));
    const format = stringFlag(context, 'format');
    if (context.flags.get('quiet')) context.reporter.lines(networks.map((n) => id(n.Id)));
    else {
      const rows = networks.map((n) => ({
        ID: id(n.Id),
        Name: n.Name,
        Driver: n.Driver,
        Scope: n.Scope,
        IPv6: String(n.EnableIPv6),
        Internal: String(n.Internal),
        Labels: labelsText(n.Labels),
        // Go's time.String(), as Docker prints it.
        CreatedAt: n.Created.replace('T', ' ').replace(/Z$/, ' +0000 UTC'),
      }));
      context.reporter.lines(listLines(format, rows, NETWORK_COLUMNS));
    }
    return 0;
  },
};

export const networkInspectCommand: Command = {
  path: ['network', 'inspect'],
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  description: 'Display detailed information on one or more networks',
  flags: [FORMAT_FLAG],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  execute: (context) => inspectEach(context, (client, network) => client.networks.inspect.query({ network })),
};

export const networkRmCommand: Command = {
  path: ['network', 'rm'],
  usage: 'NETWORK [NETWORK...]',
  description: 'Remove one or more networks',
  flags: [],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  execute: (context) =>
    forEachArgument(context, async (client, network) => {
      await wordedAsLookup(() => client.networks.remove.mutate({ network }));
    }),
};

export const networkConnectCommand: Command = {
  path: ['network', 'connect'],
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Connect a container to a network',
  flags: [
    { name: 'alias', kind: 'list', description: 'Add network-scoped alias for the container' },
    { name: 'ip', kind: 'string', valueName: 'string', description: 'IPv4 address (e.g., 172.30.100.104)' },
  ],
  args: { min: 2, max: 2 },
  async execute(context) {
    const [network, container] = context.args as [string, string];
    const ip = stringFlag(context, 'ip');
    await (await context.agent()).networks.connect.mutate({
      network,
      container,
      Aliases: listFlag(context, 'alias'),
      ...(ip ? { IPv4Address: ip } : {}),
    });
    return 0;
  },
};

export const networkDisconnectCommand: Command = {
  path: ['network', 'disconnect'],
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Disconnect a container from a network',
  flags: [
    {
      name: 'force',
      short: 'f',
      kind: 'boolean',
      description: 'Force the container to disconnect from a network',
    },
  ],
  args: { min: 2, max: 2 },
  async execute(context) {
    const [network, container] = context.args as [string, string];
    await (await context.agent()).networks.disconnect.mutate({
      network,
      container,
      force: context.flags.get('force') === true,
    });
    return 0;
  },
};

export const networkPruneCommand: Command = {
  path: ['network', 'prune'],
  usage: '[OPTIONS]',
  description: 'Remove all unused networks',
  flags: [FORCE_FLAG],
  args: { min: 0, max: 0 },
  async execute(context) {
    if (
      !(await confirm(
        context,
        'WARNING! This will remove all custom networks not used by at least one container.',
      ))
    ) {
      return 0;
    }
    const report = await (await context.agent()).networks.prune.mutate();
    if (report.NetworksDeleted.length > 0)
      context.reporter.lines(['Deleted Networks:', ...report.NetworksDeleted]);
    return 0;
  },
};
