import { humanSize, timeAgo } from '@stevedore/shared';
import { type Command, FORMAT_FLAG, stringFlag } from '../../command.js';
import { type ListColumns, listLines } from '../../format/table.js';

/** Docker's `history` columns: the header of each field and the default table. */
const HISTORY_COLUMNS: ListColumns = {
  headers: {
    ID: 'IMAGE',
    CreatedSince: 'CREATED',
    CreatedAt: 'CREATED AT',
    CreatedBy: 'CREATED BY',
    Size: 'SIZE',
    Comment: 'COMMENT',
  },
  table: '{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
};

export const historyCommand: Command = {
  path: ['history'],
  usage: '[OPTIONS] IMAGE',
  description: 'Show the history of an image',
  flags: [
    FORMAT_FLAG,
    { name: 'no-trunc', kind: 'boolean', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only show image IDs' },
  ],
  args: { min: 1, max: 1 },
  async execute(context) {
    const noTrunc = context.flags.get('no-trunc') === true;
    const entries = await (await context.agent()).images.history.query({ image: context.args[0]! });
    const rows = entries.map((entry) => ({
      ID: entry.Id === '<missing>' || noTrunc ? entry.Id : entry.Id.slice(7, 19),
      CreatedSince: timeAgo(new Date(entry.Created * 1000).toISOString()),
      CreatedBy:
        noTrunc || entry.CreatedBy.length <= 45 ? entry.CreatedBy : `${entry.CreatedBy.slice(0, 44)}…`,
      Size: humanSize(entry.Size),
      Comment: entry.Comment,
    }));
    const format = stringFlag(context, 'format');
    if (context.flags.get('quiet')) context.reporter.lines(rows.map((row) => row.ID));
    else context.reporter.lines(listLines(format, rows, HISTORY_COLUMNS));
    return 0;
  },
};
