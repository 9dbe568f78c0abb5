import { type Command, listFlag, stringFlag } from '../../command.js';

export const commitCommand: Command = {
  path: ['commit'],
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  description: "Create a new image from a container's changes",
  flags: [
    {
      name: 'author',
      short: 'a',
      kind: 'string',
      valueName: 'string',
      description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
    },
    { name: 'message', short: 'm', kind: 'string', valueName: 'string', description: 'Commit message' },
    {
      name: 'change',
      short: 'c',
      kind: 'list',
      description: 'Apply Dockerfile instruction to the created image',
    },
    {
      name: 'pause',
      short: 'p',
      kind: 'boolean',
      description: 'Pause container during commit',
      defaultText: 'true',
    },
  ],
  args: { min: 1, max: 2 },
  async execute(context) {
    const [container, tag] = context.args as [string, string | undefined];
    const result = await (await context.agent()).containers.commit.mutate({
      container,
      tag: tag ?? null,
      author: stringFlag(context, 'author') ?? '',
      comment: stringFlag(context, 'message') ?? '',
      changes: listFlag(context, 'change'),
      pause: context.flags.get('pause') !== false,
    });
    context.reporter.line(result.Id);
    return 0;
  },
};
