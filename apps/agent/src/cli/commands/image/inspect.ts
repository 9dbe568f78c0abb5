import { type Command, FORMAT_FLAG } from '../../command.js';
import { inspectEach } from '../../inspect-each.js';

export const imageInspectCommand: Command = {
  path: ['image', 'inspect'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Display detailed information on one or more images',
  flags: [FORMAT_FLAG],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  execute: (context) => inspectEach(context, (client, image) => client.images.inspect.query({ image })),
};
