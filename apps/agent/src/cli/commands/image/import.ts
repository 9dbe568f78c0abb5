import { readAll } from '../../../util/read-all.js';
import { type Command, listFlag, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';
import { inputStream } from '../../input-file.js';

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
    const query = new URLSearchParams({ fromSrc: '-', message: stringFlag(context, 'message') ?? '' });
    if (tag) query.set('repo', tag);
    for (const change of listFlag(context, 'change')) query.append('changes', change);
    const response = await context.agentHttp({
      method: 'POST',
      path: `/images/create?${query}`,
      body: await inputStream(source),
    });
    const result = JSON.parse((await readAll(response)).toString('utf8')) as { Id: string };
    context.reporter.line(result.Id);
    return 0;
  },
};
