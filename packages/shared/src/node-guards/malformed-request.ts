import type { Socket } from 'node:net';
import type { GuardLog } from './guard-log.js';

/** How much of a malformed request's rest is read and dropped after the 4xx, and for how long. */
const DRAIN_BYTES = 1 << 20;
const DRAIN_MS = 2_000;

/**
 * Answers what Node's HTTP parser refused (a malformed request line, header or chunk) with a 4xx
 * that says which, as Node would without a listener, then closes the connection. For a server's
 * 'clientError' event (the agent's and the dashboard's).
 */
export function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Socket, log: GuardLog): void {
  log.debug({ code: error.code, message: error.message }, 'malformed HTTP request');
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  const body = `malformed HTTP request: ${error.code ?? 'error'}${'reason' in error ? ` (${String(error.reason)})` : ''}\n`;
  // What the client still sends is read and dropped until it closes (bounded in bytes and time):
  // closing with unread bytes would reset the connection and could lose the answer.
  let dropped = 0;
  socket.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) socket.destroy();
  });
  socket.once('end', () => socket.destroy());
  socket.setTimeout(DRAIN_MS, () => socket.destroy());
  socket.resume();
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
