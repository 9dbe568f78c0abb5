import { humanSize } from '@stevedore/shared';
import { type Command, FORMAT_FLAG, stringFlag } from '../../command.js';
import { formatValue } from '../../format/template-output.js';

export const systemDfCommand: Command = {
  path: ['system', 'df'],
  usage: '[OPTIONS]',
  description: 'Show agent disk usage',
  flags: [FORMAT_FLAG],
  args: { min: 0, max: 0 },
  async execute(context) {
    const rows = (await (await context.agent()).system.df.query()).map((row) => ({
      Type: row.type,
      TotalCount: String(row.total),
      Active: String(row.active),
      Size: humanSize(row.size),
      Reclaimable: `${humanSize(row.reclaimable)}${row.size > 0 ? ` (${Math.round((row.reclaimable / row.size) * 100)}%)` : ''}`,
    }));
    const format = stringFlag(context, 'format');
    if (format !== undefined) for (const row of rows) context.reporter.line(formatValue(format, row));
    else
      context.reporter.table(
        ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
        rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]),
      );
    return 0;
  },
};
