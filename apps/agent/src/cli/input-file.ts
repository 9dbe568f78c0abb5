import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { OperationalError } from './errors.js';

/** A file to stream from (`-` or none: standard input), opened now so a bad path fails as Docker's does. */
export async function inputStream(path: string | undefined): Promise<Readable> {
  if (path === undefined || path === '-') return process.stdin;
  try {
    return (await open(path)).createReadStream();
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new OperationalError(`open ${path}: ${code === 'ENOENT' ? 'no such file or directory' : message}`);
  }
}
