import type { Command } from '../../command.js';
import { describeError, OperationalError, wordedAsLookup } from '../../errors.js';
import { interactiveSession } from './attach-session.js';

export const attachCommand: Command = {
  path: ['attach'],
  usage: '[OPTIONS] CONTAINER',
  description: 'Attach local standard input, output, and error streams to a running container',
  flags: [{ name: 'no-stdin', kind: 'boolean', description: 'Do not attach STDIN' }],
  args: { min: 1, max: 1 },
  async execute(context) {
    const client = await context.agent();
    const container = context.args[0]!;
    const config = (await wordedAsLookup(() => client.containers.inspect.query({ container }))).Config;
    return interactiveSession(
      client,
      context,
      container,
      {
        start: false,
        interactive: config.OpenStdin && context.flags.get('no-stdin') !== true,
        tty: config.Tty,
      },
      (error) => new OperationalError(describeError(error)),
    );
  },
};
