import type { Command } from '../../command.js';

export const tokenCreateCommand: Command = {
  path: ['token', 'create'],
  usage: 'NAME',
  description: 'Create an API token for remote (TCP/TLS) access; it is printed once',
  flags: [],
  args: { min: 1, max: 1 },
  async execute(context) {
    const created = await (await context.agent()).tokens.create.mutate({ name: context.args[0] as string });
    context.reporter.line(created.token);
    context.reporter.error(
      `Token "${created.name}" (ID ${created.id}) created. Store it now: it cannot be shown again.`,
    );
    return 0;
  },
};
