import { AGENT_VERSION } from '../../system/version.js';
import { type Command, FORMAT_FLAG, stringFlag } from '../command.js';
import { infoView } from '../format/docker-view.js';
import { infoText } from '../format/info-text.js';
import { formatValue } from '../format/template-output.js';

export const infoCommand: Command = {
  path: ['info'],
  usage: '[OPTIONS]',
  description: 'Display system-wide information',
  flags: [FORMAT_FLAG],
  args: { min: 0, max: 0 },
  async execute(context) {
    const info = await (await context.agent()).system.info.query();
    const format = stringFlag(context, 'format');
    if (format !== undefined) {
      context.reporter.line(formatValue(format, infoView(info)));
      return 0;
    }
    context.reporter.lines(['Client:', ` Version: ${AGENT_VERSION}`, '', ...infoText(info)]);
    for (const warning of info.Warnings) context.reporter.error(warning);
    return 0;
  },
};
