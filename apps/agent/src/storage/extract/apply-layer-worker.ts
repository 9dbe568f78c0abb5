import { PassThrough } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { type ErrorCode, isStevedoreError } from '@stevedore/shared/errors';
import { decompressed } from './decompress.js';
import { type ExtractOptions, extractTar } from './extract-tar.js';

/**
 * Messages from apply-layer.ts. A worker unpacks one layer at a time and is then reused for the
 * next: `start`, the blob's chunks, `end`.
 */
export type ToWorker =
  | { start: { root: string; options: ExtractOptions } }
  | { chunk: Uint8Array }
  | { end: true };
/** Messages to apply-layer.ts: consumed bytes (flow control), then the result or the failure. */
export type FromWorker =
  | { consumed: number }
  | { done: { diffId: string; size: number } }
  | { failed: { message: string; code: ErrorCode | null; context: Record<string, unknown> } };

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

let blob: PassThrough | null = null;
port.on('message', (message: ToWorker) => {
  if ('start' in message) {
    blob = new PassThrough({ highWaterMark: 1 << 20 });
    void unpack(blob, message.start.root, message.start.options);
  } else if ('chunk' in message) {
    const length = message.chunk.length;
    // Credit the bytes back once the decompressor took them, so the sender never runs far ahead.
    blob?.write(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, length), () =>
      post({ consumed: length }),
    );
  } else blob?.end();
});

async function unpack(source: PassThrough, root: string, options: ExtractOptions): Promise<void> {
  try {
    post({ done: await extractTar(await decompressed(source), root, options) });
  } catch (error) {
    // Chunks of this layer still on their way are dropped; the next `start` begins afresh.
    if (blob === source) blob = null;
    source.destroy();
    post({
      failed: {
        message: error instanceof Error ? error.message : String(error),
        code: isStevedoreError(error) ? error.code : null,
        context: isStevedoreError(error) ? error.context : {},
      },
    });
  }
}
