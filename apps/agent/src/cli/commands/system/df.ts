import { type DiskUsageDetails, humanSize, timeAgo } from '@stevedore/shared';
import { type Command, type CommandContext, FORMAT_FLAG, stringFlag } from '../../command.js';
import { repoTagRows } from '../../format/repo-tags.js';
import { type ListColumns, listLines } from '../../format/table.js';

/** Docker's `system df` columns: the header of each field and the default table. */
const DF_COLUMNS: ListColumns = {
  headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
  table: '{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
};

export const systemDfCommand: Command = {
  path: ['system', 'df'],
  usage: '[OPTIONS]',
  description: 'Show agent disk usage',
  flags: [
    FORMAT_FLAG,
    { name: 'verbose', short: 'v', kind: 'boolean', description: 'Show detailed information on space usage' },
  ],
  args: { min: 0, max: 0 },
  async execute(context) {
    if (context.flags.get('verbose')) {
      printDetails(context, await (await context.agent()).system.dfDetails.query());
      return 0;
    }
    const rows = (await (await context.agent()).system.df.query()).map((row) => ({
      Type: row.type,
      TotalCount: String(row.total),
      Active: String(row.active),
      Size: humanSize(row.size),
      Reclaimable: `${humanSize(row.reclaimable)}${row.size > 0 ? ` (${Math.round((row.reclaimable / row.size) * 100)}%)` : ''}`,
    }));
    const format = stringFlag(context, 'format');
    context.reporter.lines(listLines(format, rows, DF_COLUMNS));
    return 0;
  },
};

const ago = (unixSeconds: number) => timeAgo(new Date(unixSeconds * 1000).toISOString());

/** `docker system df -v`: one table per kind, as Docker prints them. */
function printDetails(context: CommandContext, details: DiskUsageDetails): void {
  const { reporter } = context;
  reporter.lines(['Images space usage:', '']);
  reporter.table(
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
    details.images.flatMap((image) =>
      repoTagRows(image.RepoTags).map((names) => [
        names.Repository,
        names.Tag,
        image.ID.replace(/^sha256:/, '').slice(0, 12),
        ago(image.Created),
        humanSize(image.Size),
        humanSize(image.SharedSize),
        humanSize(image.UniqueSize),
        String(image.Containers),
      ]),
    ),
  );
  reporter.lines(['', 'Containers space usage:', '']);
  reporter.table(
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'],
    details.containers.map((c) => [
      c.ID.slice(0, 12),
      c.Image,
      `"${c.Command.length > 20 ? `${c.Command.slice(0, 19)}…` : c.Command}"`,
      String(c.LocalVolumes),
      humanSize(c.Size),
      ago(c.Created),
      c.Status,
      c.Names,
    ]),
  );
  reporter.lines(['', 'Local Volumes space usage:', '']);
  reporter.table(
    ['VOLUME NAME', 'LINKS', 'SIZE'],
    details.volumes.map((v) => [v.Name, String(v.Links), humanSize(v.Size)]),
  );
  reporter.lines(['', 'Build cache usage: 0B', '']);
  reporter.table(['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED'], []);
}
