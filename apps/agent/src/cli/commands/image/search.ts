import { type Command, LIST_FORMAT_FLAG, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';
import { flagValueError } from '../../flag-values.js';
import { formatValue } from '../../format/template-output.js';

export const searchCommand: Command = {
  path: ['search'],
  usage: '[OPTIONS] TERM',
  description: 'Search Docker Hub, or REGISTRY/TERM in a registry catalog, for images',
  flags: [
    {
      name: 'limit',
      kind: 'string',
      valueName: 'int',
      description: 'Max number of search results',
      defaultText: '25',
    },
    LIST_FORMAT_FLAG,
  ],
  args: { min: 1, max: 1 },
  async execute(context) {
    const limitText = stringFlag(context, 'limit') ?? '25';
    if (!/^-?\d+$/.test(limitText)) throw flagValueError('limit', limitText, 'must be an integer');
    if (Number(limitText) < 1 || Number(limitText) > 100) {
      throw new OperationalError(
        `Error response from daemon: Limit ${limitText} is outside the range of [1, 100]`,
      );
    }
    const results = await (await context.agent()).images.search.query({
      term: context.args[0]!,
      limit: Number(limitText),
    });
    const rows = results.map((r) => ({
      ...r,
      Stars: String(r.StarCount),
      Official: r.IsOfficial ? '[OK]' : '',
    }));
    const format = stringFlag(context, 'format');
    if (format !== undefined) for (const row of rows) context.reporter.line(formatValue(format, row));
    else
      context.reporter.table(
        ['NAME', 'DESCRIPTION', 'STARS', 'OFFICIAL'],
        rows.map((r) => [r.Name, r.Description, r.Stars, r.Official]),
      );
    return 0;
  },
};
