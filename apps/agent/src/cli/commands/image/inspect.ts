import { type Command, FORMAT_FLAG, stringFlag } from '../../command.js';
import { formatValue } from '../../format/template-output.js';

export const imageInspectCommand: Command = {
  path: ['image', 'inspect'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Display detailed information on one or more images',
  flags: [FORMAT_FLAG],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  async execute(context) {
    const client = await context.agent();
    const format = stringFlag(context, 'format');
    const found = [];
    let code = 0;
    for (const image of context.args) {
      try {
        found.push(await client.images.inspect.query({ image }));
      } catch (error) {
        context.reporter.error(`Error response from daemon: ${(error as Error).message}`);
        code = 1;
      }
    }
    if (format !== undefined) for (const image of found) context.reporter.line(formatValue(format, image));
    else context.reporter.line(JSON.stringify(found, null, 4));
    return code;
  },
};
