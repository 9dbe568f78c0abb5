import { readAll } from '../../../util/read-all.js';
import { type Command, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';
import { familiar } from '../../format/familiar-name.js';
import { inputStream } from '../../input-file.js';

export const loadCommand: Command = {
  path: ['load'],
  usage: '[OPTIONS]',
  description: 'Load an image from a tar archive or STDIN',
  flags: [
    {
      name: 'input',
      short: 'i',
      kind: 'string',
      valueName: 'string',
      description: 'Read from tar archive file, instead of STDIN',
    },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Suppress the load output' },
  ],
  args: { min: 0, max: 0 },
  async execute(context) {
    const input = stringFlag(context, 'input');
    if (input === undefined && process.stdin.isTTY) {
      throw new OperationalError('requested load from stdin, but stdin is empty', 1);
    }
    const response = await context.agentHttp({
      method: 'POST',
      path: '/images/load',
      body: await inputStream(input),
    });
    const loaded = JSON.parse((await readAll(response)).toString('utf8')) as { id: string; tags: string[] }[];
    if (context.flags.get('quiet') !== true) {
      for (const image of loaded) {
        if (image.tags.length === 0) context.reporter.line(`Loaded image ID: ${image.id}`);
        for (const tag of image.tags) context.reporter.line(`Loaded image: ${familiar(tag)}`);
      }
    }
    return 0;
  },
};
