import { readFile } from 'node:fs/promises';
import { readAll } from '../../../util/read-all.js';
import { type Command, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';
import { familiar } from '../../format/familiar-name.js';

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
    const archive =
      input === undefined
        ? await readAll(process.stdin)
        : await readFile(input).catch((error: NodeJS.ErrnoException) => {
            throw new OperationalError(
              `open ${input}: ${error.code === 'ENOENT' ? 'no such file or directory' : error.message}`,
            );
          });
    if (archive.length > 48 * 1024 * 1024) {
      throw new OperationalError(
        `the archive is ${archive.length} bytes; archives over 48 MiB are not supported yet`,
      );
    }
    const loaded = await (await context.agent()).images.load.mutate({ archive: archive.toString('base64') });
    if (context.flags.get('quiet') !== true) {
      for (const image of loaded) {
        if (image.tags.length === 0) context.reporter.line(`Loaded image ID: ${image.id}`);
        for (const tag of image.tags) context.reporter.line(`Loaded image: ${familiar(tag)}`);
      }
    }
    return 0;
  },
};
