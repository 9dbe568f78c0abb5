import { writeFile } from 'node:fs/promises';
import { type Command, OUTPUT_FLAG, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';

export const saveCommand: Command = {
  path: ['save'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  flags: [OUTPUT_FLAG],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  async execute(context) {
    const output = stringFlag(context, 'output');
    if (output === undefined && process.stdout.isTTY) {
      throw new OperationalError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
    }
    const { archive } = await (await context.agent()).images.save.mutate({ images: context.args });
    const bytes = Buffer.from(archive, 'base64');
    if (output === undefined) {
      await new Promise<void>((resolve, reject) =>
        process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())),
      );
    } else {
      await writeFile(output, bytes, { mode: 0o600 });
    }
    return 0;
  },
};
