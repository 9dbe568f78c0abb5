import { timeAgo } from '@stevedore/shared';
import { type Command, FORMAT_FLAG, stringFlag } from '../../command.js';
import { type ListColumns, listLines } from '../../format/table.js';

/** `token ls` columns: the header of each field and the default table. */
const TOKEN_COLUMNS: ListColumns = {
  headers: { ID: 'TOKEN ID', Name: 'NAME', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT' },
  table: '{{.ID}}\t{{.Name}}\t{{.CreatedSince}}',
};

export const tokenLsCommand: Command = {
  path: ['token', 'ls'],
  usage: '[OPTIONS]',
  description: 'List API tokens (never their secrets)',
  flags: [FORMAT_FLAG, { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display token IDs' }],
  args: { min: 0, max: 0 },
  async execute(context) {
    const tokens = await (await context.agent()).tokens.list.query();
    const format = stringFlag(context, 'format');
    if (context.flags.get('quiet')) {
      context.reporter.lines(tokens.map((t) => t.id));
    } else {
      const rows = tokens.map((t) => ({
        ID: t.id,
        Name: t.name,
        CreatedAt: t.createdAt,
        CreatedSince: timeAgo(t.createdAt),
      }));
      context.reporter.lines(listLines(format, rows, TOKEN_COLUMNS));
    }
    return 0;
  },
};
