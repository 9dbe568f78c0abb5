import type { Command } from '../../command.js';

export const rmiCommand: Command = {
  path: ['rmi'],
  usage: 'IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  flags: [],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  async execute(context) {
    const client = await context.agent();
    let code = 0;
    for (const image of context.args) {
      try {
        const result = await client.images.remove.mutate({ image });
        context.reporter.lines([
          ...result.untagged.map((name) => `Untagged: ${name}`),
          ...result.deleted.map((id) => `Deleted: ${id}`),
        ]);
      } catch (error) {
        // Like Docker: report each failure and go on with the other images; exit 1 at the end.
        context.reporter.error(`Error response from daemon: ${(error as Error).message}`);
        code = 1;
      }
    }
    return code;
  },
};
