import type { Command } from '../../command.js';
import { describeError } from '../../errors.js';

export const tokenRmCommand: Command = {
  path: ['token', 'rm'],
  usage: 'TOKEN [TOKEN...]',
  description: 'Remove one or more API tokens, by ID or name',
  flags: [],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  async execute(context) {
    const agent = await context.agent();
    const tokens = await agent.tokens.list.query();
    let failed = false;
    // Like `docker rm`: go through every argument, report each failure, exit 1 if any failed.
    for (const wanted of context.args) {
      const token = tokens.find((t) => t.id === wanted) ?? tokens.find((t) => t.name === wanted);
      try {
        if (!token) throw new Error(`Error response from daemon: no such token: ${wanted}`);
        await agent.tokens.remove.mutate({ id: token.id });
        context.reporter.line(wanted);
      } catch (error) {
        failed = true;
        context.reporter.error(describeError(error));
      }
    }
    return failed ? 1 : 0;
  },
};
