import type { Socket } from 'node:net';

/**
 * What a subscription may send to one connection: tRPC's websocket adapter pulls the next item of
 * a subscription as soon as it has handed the previous one to the socket, so without this a
 * producer faster than the client fills the agent's memory with unsent frames.
 */
export interface Outbound {
  /** Resolves once the connection holds less than its high-water mark unsent (or closes, or `signal` aborts). */
  writable(signal?: AbortSignal): Promise<void>;
}

/** Unsent bytes a connection may hold before its subscriptions wait: a few frames of any stream. */
export const OUTBOUND_HIGH_WATER_MARK = 512 * 1024;

/** The socket under a websocket (the one its HTTP upgrade came in on). */
export function socketOutbound(socket: Socket, highWaterMark = OUTBOUND_HIGH_WATER_MARK): Outbound {
  return {
    writable(signal) {
      if (socket.writableLength < highWaterMark || socket.destroyed || signal?.aborted) {
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        // 'drain' comes once the buffer is empty: the socket's own mark (16 KiB) is far below ours.
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
        signal?.addEventListener('abort', done);
      });
    },
  };
}

/** `source`, pulled only while `outbound` has room: the producer waits for the client. */
export async function* paced<T>(
  source: AsyncIterable<T>,
  outbound: Outbound,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      await outbound.writable(signal);
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}
