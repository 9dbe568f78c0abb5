/**
 * A websocket client that subscribes and then reads nothing: the slow consumer of issue 16's
 * fault tests. It speaks the handshake and one masked frame by hand (no client library), then
 * pauses its socket, so the kernel buffers fill and the agent must hold back.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface StalledClient {
  /** Bytes read before the client stopped reading (the handshake and what came with it). */
  readonly bytesRead: number;
  /** Reads whatever is waiting, for `ms`: how many bytes came, and whether `lookFor` was among them. */
  readFor(ms: number, lookFor?: string): Promise<{ bytes: number; found: boolean }>;
  close(): void;
}

/** Opens a websocket on the agent's unix socket, starts `path` with `input`, and stops reading. */
export async function subscribeAndStall(
  socketPath: string,
  path: string,
  input: unknown,
): Promise<StalledClient> {
  const socket = connect(socketPath);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
  );
  let bytesRead = 0;
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      bytesRead += chunk.length;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      else resolve();
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  socket.pause();
  socket.write(maskedTextFrame(JSON.stringify({ id: 1, method: 'subscription', params: { path, input } })));
  return {
    get bytesRead() {
      return bytesRead;
    },
    readFor: (ms, lookFor) => readFor(socket, ms, lookFor, (n) => (bytesRead += n)),
    close: () => socket.destroy(),
  };
}

function readFor(
  socket: Socket,
  ms: number,
  lookFor: string | undefined,
  count: (n: number) => void,
): Promise<{ bytes: number; found: boolean }> {
  let bytes = 0;
  let found = false;
  // The end of the previous chunk, so a match across two chunks is seen.
  let carry = '';
  const onData = (chunk: Buffer) => {
    bytes += chunk.length;
    count(chunk.length);
    if (lookFor && !found) {
      const text = carry + chunk.toString('latin1');
      found = text.includes(lookFor);
      carry = text.slice(-lookFor.length);
    }
  };
  socket.on('data', onData);
  socket.resume();
  return new Promise((resolve) =>
    setTimeout(() => {
      socket.pause();
      socket.off('data', onData);
      resolve({ bytes, found });
    }, ms),
  );
}

/** A client's frames are masked (RFC 6455 5.3). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const length =
    payload.length < 126
      ? Buffer.from([0x80 | payload.length])
      : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([Buffer.from([0x81]), length, mask, masked]);
}
