import { bytesSize, type ContainerStats, humanSize } from '@stevedore/shared';
import { booleanFlag, type Command, LIST_FORMAT_FLAG, stringFlag } from '../../command.js';
import { type ListColumns, listLines } from '../../format/table.js';
import { stopOnThrow } from '../../format/template-output.js';

/** Docker's `stats` columns: the header of each field and the default table. */
const STATS_COLUMNS: ListColumns = {
  headers: {
    Container: 'CONTAINER',
    ID: 'CONTAINER ID',
    Name: 'NAME',
    CPUPerc: 'CPU %',
    MemUsage: 'MEM USAGE / LIMIT',
    MemPerc: 'MEM %',
    NetIO: 'NET I/O',
    BlockIO: 'BLOCK I/O',
    PIDs: 'PIDS',
  },
  table: '{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}',
};

/** The fields `docker stats --format` offers, formatted as Docker formats them. */
export function statsRow(stats: ContainerStats, noTrunc = false) {
  return {
    Container: stats.id.slice(0, 12),
    ID: noTrunc ? stats.id : stats.id.slice(0, 12),
    Name: stats.name,
    CPUPerc: `${stats.cpuPercent.toFixed(2)}%`,
    MemUsage: `${bytesSize(stats.memoryUsage)} / ${bytesSize(stats.memoryLimit)}`,
    MemPerc: `${stats.memoryPercent.toFixed(2)}%`,
    NetIO: `${humanSize(stats.networkRx)} / ${humanSize(stats.networkTx)}`,
    BlockIO: `${humanSize(stats.blockRead)} / ${humanSize(stats.blockWrite)}`,
    PIDs: String(stats.pids),
  };
}

export const statsCommand: Command = {
  path: ['stats'],
  usage: '[OPTIONS] [CONTAINER...]',
  description: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    {
      name: 'no-stream',
      kind: 'boolean',
      description: 'Disable streaming stats and only pull the first result',
    },
    LIST_FORMAT_FLAG,
    { name: 'no-trunc', kind: 'boolean', description: 'Do not truncate output' },
  ],
  args: { min: 0, max: Number.POSITIVE_INFINITY },
  async execute(context) {
    const client = await context.agent();
    const format = stringFlag(context, 'format');
    const stream = context.flags.get('no-stream') !== true;
    const noTrunc = booleanFlag(context, 'no-trunc');
    await new Promise<void>((resolve, reject) => {
      const subscription = client.containers.stats.subscribe(
        { containers: context.args, stream },
        {
          onData: (batch) =>
            stopOnThrow(subscription, reject, () => {
              context.reporter.lines(
                listLines(
                  format,
                  batch.map((stats) => statsRow(stats, noTrunc)),
                  STATS_COLUMNS,
                ),
              );
            }),
          onError: reject,
          onComplete: resolve,
        },
      );
    });
    return 0;
  },
};

export const topCommand: Command = {
  path: ['top'],
  usage: 'CONTAINER [ps OPTIONS]',
  description: 'Display the running processes of a container',
  flags: [],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  flagsEndAtFirstArg: true,
  async execute(context) {
    const [container, ...psArgs] = context.args as [string, ...string[]];
    const result = await (await context.agent()).containers.top.query({
      container,
      ...(psArgs.length > 0 ? { psArgs: psArgs.join(' ') } : {}),
    });
    // Docker's top aligns its columns at least 20 wide.
    context.reporter.table(result.Titles, result.Processes, 20);
    return 0;
  },
};
