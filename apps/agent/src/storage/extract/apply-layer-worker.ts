import { PassThrough } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { type ErrorCode, isStevedoreError } from '@stevedore/shared';
import { decompressed } from './decompress.js';
import { extractTar } from './extract-tar.js';

/** Messages from apply-layer.ts: blob chunks, then the end (or an abort). */
export type ToWorker = { chunk: Uint8Array } | { end: true };
/** Messages to apply-layer.ts: consumed bytes (flow control), then the result or the failure. */
export type FromWorker =
  | { consumed: number }
  | { done: { diffId: string; size: number } }
  | { failed: { message: string; code: ErrorCode | null; context: Record<string, unknown> } };

const { root, whiteouts } = workerData as { root: string; whiteouts: boolean };
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

const blob = new PassThrough({ highWaterMark: 1 << 20 });
port.on('message', (message: ToWorker) => {
  if ('chunk' in message) {
    const length = message.chunk.length;
    // Credit the bytes back once the decompressor took them, so the sender never runs far ahead.
    blob.write(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, length), () =>
      post({ consumed: length }),
    );
  } else blob.end();
});

try {
  const result = await extractTar(await decompressed(blob), root, whiteouts);
  post({ done: result });
} catch (error) {
  post({
    failed: {
      message: error instanceof Error ? error.message : String(error),
      code: isStevedoreError(error) ? error.code : null,
      context: isStevedoreError(error) ? error.context : {},
    },
  });
}
