import type { Readable } from 'node:stream';
import { StevedoreError } from '@stevedore/shared';
import type { Client } from 'ssh2';

export { shellQuote } from './quoting';

export interface RemoteResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a shell command over SSH. Each output line goes to `onLine` as it arrives; `stdin`, when
 * given, is piped in (and ended). Resolves with the exit code and the collected output.
 */
export function runRemote(
  client: Client,
  command: string,
  options: { onLine?: (line: string) => void; stdin?: Readable; signal?: AbortSignal } = {},
): Promise<RemoteResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) {
        reject(new StevedoreError('UNAVAILABLE', `running a command over SSH failed: ${error.message}`));
        return;
      }
      const output = { stdout: '', stderr: '' };
      const pending = { stdout: '', stderr: '' };
      const take = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
        const text = chunk.toString();
        output[stream] += text;
        const lines = (pending[stream] + text).split('\n');
        pending[stream] = lines.pop() ?? '';
        for (const line of lines) options.onLine?.(line);
      };
      channel.on('data', take('stdout'));
      channel.stderr.on('data', take('stderr'));
      const onAbort = () => channel.close();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      channel.on('exit', (code: number | null) => {
        for (const rest of [pending.stdout, pending.stderr]) if (rest) options.onLine?.(rest);
        pending.stdout = pending.stderr = '';
        resolve({ code: code ?? -1, ...output });
      });
      channel.on('close', () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ code: -1, ...output });
      });
      if (options.stdin) options.stdin.pipe(channel);
      else channel.end();
    });
  });
}
