import { readFile } from 'node:fs/promises';
import { readAll } from '../../../util/read-all.js';
import { type Command, listFlag, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';

export const importCommand: Command = {
  path: ['import'],
  usage: '[OPTIONS] file|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball to create a filesystem image',
  flags: [
    {
      name: 'change',
      short: 'c',
      kind: 'list',
      description: 'Apply Dockerfile instruction to the created image',
    },
    {
      name: 'message',
      short: 'm',
      kind: 'string',
      valueName: 'string',
      description: 'Set commit message for imported image',
    },
  ],
  args: { min: 1, max: 2 },
  async execute(context) {
    const [source, tag] = context.args as [string, string | undefined];
    if (/^https?:\/\//.test(source)) {
      throw new OperationalError(
        'importing from a URL is not supported: download the tarball and import the file',
      );
    }
    const archive =
      source === '-'
        ? await readAll(process.stdin)
        : await readFile(source).catch((error: NodeJS.ErrnoException) => {
            throw new OperationalError(
              `open ${source}: ${error.code === 'ENOENT' ? 'no such file or directory' : error.message}`,
            );
          });
    const result = await (await context.agent()).images.import.mutate({
      archive: archive.toString('base64'),
      tag: tag ?? null,
      changes: listFlag(context, 'change'),
      message: stringFlag(context, 'message') ?? '',
    });
    context.reporter.line(result.Id);
    return 0;
  },
};
