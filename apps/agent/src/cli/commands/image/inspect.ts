import { type Command, FORMAT_FLAG } from '../../command.js';
import { dockerImageView } from '../../format/inspect-view.js';
import { inspectEach } from '../../inspect-each.js';

export const imageInspectCommand: Command = {
  path: ['image', 'inspect'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Display detailed information on one or more images',
  flags: [FORMAT_FLAG],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  execute: (context) =>
    inspectEach(context, async (client, image) =>
      dockerImageView(await client.images.inspect.query({ image })),
    ),
};
