import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
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
    const query = new URLSearchParams(context.args.map((name): [string, string] => ['names', name]));
    const archive = await context.agentHttp({ method: 'GET', path: `/images/get?${query}` });
    if (output === undefined) {
      await pipeline(archive, process.stdout, { end: false });
      return 0;
    }
    // A device or pipe (`-o /dev/null`) is written into; renaming over it would replace it.
    const existing = await stat(output).catch(() => null);
    if (existing && !existing.isFile()) {
      await pipeline(archive, createWriteStream(output));
      return 0;
    }
    // Written beside the target and renamed into place: an interrupted save leaves no partial archive.
    const partial = `${output}.partial-${process.pid}`;
    try {
      await pipeline(archive, createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, output);
    } catch (error) {
      await rm(partial, { force: true });
      throw new OperationalError(`save: the archive stream broke off: ${(error as Error).message}`);
    }
    return 0;
  },
};
