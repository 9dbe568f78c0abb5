import type { Command } from '../../command.js';

export const tagCommand: Command = {
  path: ['tag'],
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  flags: [],
  args: { min: 2, max: 2 },
  async execute(context) {
    const [source, target] = context.args as [string, string];
    await (await context.agent()).images.tag.mutate({ source, target });
    return 0;
  },
};
