import { timeAgo } from '@stevedore/shared';
import { type Command, FORMAT_FLAG, stringFlag } from '../../command.js';
import { formatValue } from '../../format/template-output.js';

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
    } else if (format !== undefined) {
      for (const t of tokens) {
        context.reporter.line(formatValue(format, { ID: t.id, Name: t.name, CreatedAt: t.createdAt }));
      }
    } else {
      context.reporter.table(
        ['TOKEN ID', 'NAME', 'CREATED'],
        tokens.map((t) => [t.id, t.name, timeAgo(t.createdAt)]),
      );
    }
    return 0;
  },
};
