import { spawn } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { OperationalError } from './errors.js';

/** GNU tar run on this machine for `cp` and `export`; `done` settles with its exit status. */
export interface LocalTar {
  /** What tar reads (unpacking), or null when it reads nothing. */
  input: Writable | null;
  /** What tar writes (packing), or null when its output goes to this process's stdout. */
  output: Readable | null;
  done: Promise<void>;
}

/**
 * Starts GNU tar. Its output is taken into a stream of ours at once: Node drops what a child wrote
 * to a pipe nobody reads by the time it exits, and a small file is packed before the request that
 * will carry it is open — `cp` then sent an empty archive and reported success.
 */
export function localTar(args: string[], reads: boolean): LocalTar {
  const child = spawn('tar', args, {
    stdio: [reads ? 'pipe' : 'ignore', reads ? 'inherit' : 'pipe', 'pipe'],
  });
  let output: PassThrough | null = null;
  if (!reads) {
    output = new PassThrough();
    child.stdout!.pipe(output);
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new OperationalError(`tar: ${error.message}`)));
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new OperationalError(`tar: ${stderr.trim()}`)),
    );
  });
  return { input: reads ? child.stdin : null, output, done };
}
