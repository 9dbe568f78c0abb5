import type { Command } from '../../command.js';
import { forEachArgument, forgivingMissing } from '../../each-argument.js';
import { familiar } from '../../format/familiar-name.js';

export const rmiCommand: Command = {
  path: ['rmi'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  flags: [{ name: 'force', short: 'f', kind: 'boolean', description: 'Force removal of the image' }],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  execute(context) {
    const force = context.flags.get('force') === true;
    return forEachArgument(context, (client, image) =>
      forgivingMissing(context, force, async () => {
        const result = await client.images.remove.mutate({ image, force });
        return [
          ...result.untagged.map((name) => `Untagged: ${familiar(name)}`),
          ...result.deleted.map((id) => `Deleted: ${id}`),
        ];
      }),
    );
  },
};
