import { humanSize, timeAgo } from '@stevedore/shared';
import { type Command, FORMAT_FLAG, stringFlag } from '../../command.js';
import { formatValue } from '../../format/template-output.js';

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
    else if (format !== undefined) for (const row of rows) context.reporter.line(formatValue(format, row));
    else
      context.reporter.table(
        ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
        rows.map((r) => [r.ID, r.CreatedSince, r.CreatedBy, r.Size, r.Comment]),
      );
    return 0;
  },
};
